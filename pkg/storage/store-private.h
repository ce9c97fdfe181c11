/* Internals shared by the files of pkg/storage; not for other packages. */
#ifndef PC_PKG_STORAGE_PRIVATE_H
#define PC_PKG_STORAGE_PRIVATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/error.h"
#include "pkg/storage/storage.h"

struct pc_store
{
  char *root;
  char *runroot;
  char *driver_opt;   /* user's choice, NULL = auto */
  char *driver;       /* resolved, lazily */
  int root_fd;
  int lock_fd;        /* held when >= 0 (exclusive) */
  int lock_depth;
};

struct pc_image
{
  char *id;
  char **names;
  json_object *record;
  json_object *config;   /* loaded lazily by pc_image_config; cached */
  struct pc_store *store;
  struct pc_image_layer *layers;
  size_t n_layers;
};

/* Store lock (exclusive, re-entrant within the process). */
int pc_store_lock (struct pc_store *s, pc_error **err);
void pc_store_unlock (struct pc_store *s);

/* Operations that create or remove files owned by container ids run in pc's
   user namespace, entered once by the command at its start, before any
   thread (the engine's PC_ENGINE_USERNS): the store never enters it halfway
   through an operation. Fails (a caller's bug) when the caller is outside. */
int pc_store_require_userns (const char *op, pc_error **err);

/* Blobs */
int pc_store_blob_path (const char *digest, char *buf, size_t len);
int pc_store_blob_read (struct pc_store *s, const char *digest, char **data, size_t *len,
                        pc_error **err);
int pc_store_blob_open (struct pc_store *s, const char *digest, pc_error **err);
bool pc_store_has_blob (struct pc_store *s, const char *digest);
bool pc_store_has_layer (struct pc_store *s, const char *chain_id);

/* Staging: a directory under tmp/ with a lock file, removed when done or by
   the next cleanup after a crash. */
struct pc_staging
{
  char *name;      /* tmp/<name> */
  int dir_fd;
  int lock_fd;
};
int pc_staging_new (struct pc_store *s, const char *kind, struct pc_staging *st, pc_error **err);
void pc_staging_finish (struct pc_store *s, struct pc_staging *st);
/* Removes staging dirs left by dead processes. */
void pc_staging_cleanup_stale (struct pc_store *s);

/* Image records */
int pc_image_from_record (struct pc_store *s, json_object *rec, struct pc_image **out,
                          pc_error **err);
int pc_store_image_read (struct pc_store *s, const char *id, struct pc_image **out,
                         pc_error **err);
/* Writes images/<id>.json (under the lock). */
int pc_store_image_write_record (struct pc_store *s, json_object *rec, pc_error **err);
/* Moves `name` to image id (removing it from another image). Lock held. */
int pc_store_name_set (struct pc_store *s, const char *id, const char *name, pc_error **err);
char *pc_name_escape (const char *name);
char *pc_name_unescape (const char *esc);

/* A new image: blobs/layers already committed to the store. Under the lock:
   writes the record (merging names into an existing one), sets the names. */
struct pc_new_image
{
  const char *config_digest;  /* sha256:... */
  const char *manifest_digest;
  const char *manifest_type;
  json_object *config;        /* parsed config, borrowed */
  struct pc_image_layer *layers;
  size_t n_layers;
  char **names;               /* normalized */
};
int pc_store_image_register (struct pc_store *s, const struct pc_new_image *ni, pc_error **err);

/* Layers: commit an extracted layer dir (staging) into layers/. Lock held. */
int pc_store_layer_commit (struct pc_store *s, struct pc_staging *st, const char *staged_dir,
                           const struct pc_image_layer *l, const char *parent, pc_error **err);
char *pc_chain_id (const char *parent_chain, const char *diff_id);

/* Garbage collection of layers/blobs not referenced by images or containers. Lock held. */
int pc_store_gc (struct pc_store *s, pc_error **err);

/* Shared by load/import/commit: stores blobs/layers of a staged image and registers it. */
const char *pc_media_type_for_compression (int compression, bool docker);
enum { PC_COMP_NONE = 0, PC_COMP_GZIP = 1, PC_COMP_ZSTD = 2 };
/* Sniffs the compression of fd (pread at 0); -1 + err for unsupported. */
int pc_sniff_compression (int fd, pc_error **err);

/* References (refs.c) */
void pc_ref_split (const char *norm, char **repo, char **tag, char **digest);
bool pc_ref_is_short (const char *ref);

/* Containers / drivers */
char *pc_store_lowerdirs (struct pc_store *s, char *const *chain_ids, size_t n, const char *empty);

/* Native overlay mounts (overlay-mount.c). fsconfig: 0, -1 + err, or
   -errno when fsopen or "lowerdir+" is missing (use the legacy one). The
   legacy one is mount(2); options longer than a page go through short
   symlinks l/<n> in the upper dir's parent. target must be absolute. */
/* OVL_MAX_STACK in the kernel's fs/overlayfs. */
#define PC_OVERLAY_MAX_LAYERS 500
int pc_storage_overlay_check_layers (const char *data, const char *target, pc_error **err);
int pc_storage_mount_overlay_fsconfig (const char *data, const char *target, pc_error **err);
int pc_storage_mount_overlay_legacy (const char *data, const char *target, pc_error **err);

/* Writing a layer tar (layer-diff.c), shared by the overlay and vfs diffs. */
struct pc_layer_writer
{
  struct archive *w;
  struct { dev_t dev; ino_t ino; char *path; } *links; /* hard links written */
  size_t n_links;
};
int pc_layer_writer_open (struct pc_layer_writer *w, int out_fd, pc_error **err);
/* One entry for dfd/name at `path` in the layer (a directory: its header
   only); sockets are skipped. */
int pc_layer_writer_add (struct pc_layer_writer *w, int dfd, const char *name, const char *path,
                         const struct stat *st, pc_error **err);
/* dir/.wh.name (dir "" = top). */
int pc_layer_writer_whiteout (struct pc_layer_writer *w, const char *dir, const char *name,
                              const struct stat *st, pc_error **err);
int pc_layer_writer_close (struct pc_layer_writer *w, pc_error **err);
void pc_layer_writer_free (struct pc_layer_writer *w);
/* Entries of dfd except . and .., sorted; NULL-terminated, *n set. */
char **pc_dir_sorted_names (int dfd, const char *rel, size_t *n, pc_error **err);

/* vfs containers have no upper dir: their diff compares the rootfs with the image. */
int pc_storage_vfs_diff_tar (struct pc_store *s, const char *cid, json_object *rec, int out_fd,
                             pc_error **err);

/* Time helpers */
char *pc_store_now_rfc3339 (void);

/* json helpers */
json_object *pc_json_strv (char *const *v);

#endif
