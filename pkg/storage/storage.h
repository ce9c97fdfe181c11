/* pkg/storage: content-addressed blobs, layers keyed by chain id, image
   records, container root filesystems (overlay, fuse-overlayfs, vfs) and the
   image transports (docker-archive, oci-archive, oci-dir, rootfs tar).

   Layout under the store root (see docs/storage.md):
     store.lock                    flock: writers take it exclusively, briefly
     blobs/sha256/<hex>            verified blobs (configs, manifests, layer blobs)
     layers/<chainhex>/diff/       extracted layer (overlay whiteouts: char 0/0,
                                   opaque dirs: user.overlay.opaque=y)
     layers/<chainhex>/layer.json  layer record
     images/<id>.json              image record (id = config digest hex)
     names/<escaped name>          symlink -> image id (name index)
     containers/<cid>/             container layer: diff/ work/ merged/ (rootfs/ for vfs)
     tmp/                          staging; a crash leaves only this behind

   Operations that create or remove files owned by container ids (layer
   extraction, layer and container removal, commit, import, the vfs diff)
   need an unprivileged caller to be in pc's user namespace already: the
   command enters it at its start (pkg/engine), the store never does. */
#ifndef PC_PKG_STORAGE_H
#define PC_PKG_STORAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"

/* Default paths: $XDG_DATA_HOME/pc/storage (~/.local/share/pc/storage), or
   /var/lib/pc/storage for root; $XDG_RUNTIME_DIR/pc (fallback /tmp/pc-$UID),
   or /run/pc for root. malloc'd. */
char *pc_storage_default_root (void);
/* The user's host uid, also from inside pc's user namespace. */
uid_t pc_storage_real_uid (void);
char *pc_storage_default_runroot (void);
/* The driver for new containers: flag, else $PC_STORAGE_DRIVER, else the
   configuration's (pc_storage_set_config), else NULL (auto). malloc'd or NULL. */
char *pc_storage_configured_driver (void);
/* storage.conf's graphroot, runroot and driver (read by pkg/engine, conf.c)
   as the defaults above; NULL keeps pc's own. */
void pc_storage_set_config (const char *root, const char *runroot, const char *driver);

struct pc_store; /* opened per invocation */
int pc_store_open (const char *root, const char *runroot, const char *driver,
                   struct pc_store **out, pc_error **err);
void pc_store_close (struct pc_store *s);
const char *pc_store_root (const struct pc_store *s);
/* The driver new containers get ("overlay", "fuse-overlayfs", "vfs"); probes
   native overlay once (result cached in the runroot). */
const char *pc_store_driver (struct pc_store *s, pc_error **err);

struct pc_image_layer
{
  char *chain_id;    /* "sha256:..." */
  char *diff_id;     /* "sha256:..." uncompressed tar digest */
  char *blob;        /* "sha256:..." stored blob digest */
  char *media_type;  /* of the blob */
  int64_t blob_size;
  int64_t diff_size; /* uncompressed tar size */
};

struct pc_image; /* id (sha256 hex of config), names, config json, layer chain */
/* ref: name, short id, full id, name@sha256:..., sha256:<id>. Not found:
   class PC_ERR_NOT_FOUND (ENOENT), "busybox: image not known". */
int pc_store_image_lookup (struct pc_store *s, const char *ref, struct pc_image **out,
                           pc_error **err);
const char *pc_image_id (const struct pc_image *img);
/* OCI image config, borrowed. */
json_object *pc_image_config (const struct pc_image *img);
/* Checks that each field of an image config pc reads has the type the OCI
   image spec gives it (Env an array of strings, Labels an object of
   strings, history an array of objects...); the error names the field and
   digest (the image id or config digest). Loads refuse such a config; create and
   commit check again, for stores that hold one from before. */
int pc_image_config_check (json_object *config, const char *digest, pc_error **err);
/* Borrowed, NULL-terminated. */
char **pc_image_names (const struct pc_image *img);
const char *pc_image_digest (const struct pc_image *img);   /* manifest digest */
size_t pc_image_n_layers (const struct pc_image *img);
const struct pc_image_layer *pc_image_layer (const struct pc_image *img, size_t i);
int64_t pc_image_size (const struct pc_image *img);
/* The raw image record (images/<id>.json), borrowed. */
json_object *pc_image_record (const struct pc_image *img);
void pc_image_free (struct pc_image *img);

static inline void
pc_image_freep (struct pc_image **p)
{
  if (*p)
    pc_image_free (*p);
}
#define pc_autoimage __attribute__ ((cleanup (pc_image_freep)))

/* All image records (JSON array of records, read without the lock). */
int pc_store_list_images (struct pc_store *s, json_object **out, pc_error **err);
/* The Labels of the config of the image of a record pc_store_list_images
   gave (*labels a new reference, NULL when it has none): 0, or -1 (with
   *labels NULL) when the record or its config cannot be read. */
int pc_store_image_record_labels (struct pc_store *s, json_object *rec, json_object **labels);

/* Names. pc_ref_normalize: "busybox" -> "docker.io/library/busybox:latest";
   digest refs keep "@sha256:..." (no tag added). */
int pc_ref_normalize (const char *ref, char **out, pc_error **err);
int pc_store_image_tag (struct pc_store *s, const char *id, const char *name, pc_error **err);
/* ENOENT when the image does not have that name. */
int pc_store_image_untag (struct pc_store *s, const char *id, const char *name, pc_error **err);
/* Removes the image record, its names, and the layers and blobs nothing else
   uses. EBUSY when a container uses it (unless force, which fails anyway:
   containers are the engine's to remove). */
int pc_store_image_delete (struct pc_store *s, const char *id, pc_error **err);
/* Ids of containers (pc_store_container_create) that use the image; NULL-terminated. */
char **pc_store_image_users (struct pc_store *s, const char *id);
/* How many containers use each image: {"IMAGE-ID": N, ...} from one read of
   every container record (for listings: pc_store_image_users per image
   reads them all for each). */
json_object *pc_store_image_user_counts (struct pc_store *s);

/* Transports. Each new or re-tagged image is reported through `loaded`
   (podman prints "Loaded image: NAME" or "Loaded image: sha256:ID"). */
typedef void (*pc_store_loaded_fn) (const char *name_or_id, void *data);
/* docker-archive or oci-archive (auto-detected, gzip/zstd-wrapped too), from fd. */
int pc_store_load (struct pc_store *s, int fd, pc_store_loaded_fn loaded, void *data,
                   pc_error **err);
enum pc_save_format
{
  PC_SAVE_DOCKER_ARCHIVE,
  PC_SAVE_OCI_ARCHIVE,
  PC_SAVE_OCI_DIR,
};
/* refs: the names the user gave (used as the archive's tags). out_fd for
   archives, dir_path for oci-dir. */
int pc_store_save (struct pc_store *s, char *const *refs, enum pc_save_format format,
                   int out_fd, const char *dir_path, pc_error **err);
/* A rootfs tar (gzip/zstd/plain) as a one-layer image; config holds the OCI
   config to use ("config" object with the --change values), may be NULL. */
int pc_store_import (struct pc_store *s, int fd, json_object *config_changes,
                     const char *name, const char *message, char **new_id, pc_error **err);

/* One `--change` instruction ("CMD [\"sh\"]", "ENV A=b", "LABEL k=v",
   "EXPOSE 80/tcp", "WORKDIR /x", "USER u", "ENTRYPOINT x", "STOPSIGNAL TERM",
   "VOLUME /v") applied to an OCI image config object's "config". */
int pc_storage_apply_change (json_object *image_config, const char *change, pc_error **err);

/* Container layer: create upper/work dirs on top of the image's layers; remove them. */
int pc_store_container_create (struct pc_store *s, const char *cid, const struct pc_image *img,
                               pc_error **err);
int pc_store_container_remove (struct pc_store *s, const char *cid, pc_error **err);
/* Moves STORE_ROOT/containers/CID to dst_dfd/dst_name (same filesystem):
   1 moved, 0 there was none, -1 with err (the caller removes it in place). */
int pc_store_container_move (const char *store_root, const char *cid, int dst_dfd,
                             const char *dst_name, pc_error **err);
/* Ids of every container layer in the store, complete or not (a creator
   killed half-way leaves one); NULL-terminated. */
char **pc_store_container_ids (struct pc_store *s);

/* How to mount the container root. The engine mounts it in the container's
   monitor, inside the monitor's own mount namespace (so a crash leaves no
   stale mount), and the runtime gets it as root.path. */
struct pc_rootfs_mount
{
  char *driver; /* "overlay", "fuse-overlayfs", "vfs" */
  char *source; /* overlay: "lowerdir=..,upperdir=..,workdir=..,userxattr"; fuse: its -o options; vfs: directory to bind */
  char *target; /* the container's merged dir (absolute) */
};
int pc_store_container_rootfs (struct pc_store *s, const char *cid, struct pc_rootfs_mount *out,
                               pc_error **err);
void pc_rootfs_mount_clear (struct pc_rootfs_mount *m);
/* pc_store_container_create whose record's fsyncs go to sync, made durable
   at the caller's commit point (pc_sync_batch in lib/fileutil.h). */
struct pc_sync_batch;
int pc_store_container_create_batch (struct pc_store *s, const char *cid,
                                     const struct pc_image *img, struct pc_sync_batch *sync,
                                     pc_error **err);
/* Mount it in the caller's mount namespace. Any number of lower layers:
   overlay uses fsconfig "lowerdir+" per layer. fuse-overlayfs runs in the
   foreground as the caller's child and is killed when the caller dies
   (PDEATHSIG): the caller reaps it once it ends. */
int pc_storage_mount_rootfs (const struct pc_rootfs_mount *m, pc_error **err);
/* Detaches it (fuse-overlayfs then ends by itself). */
int pc_storage_unmount_rootfs (const struct pc_rootfs_mount *m, pc_error **err);
/* The same root seen through an id shift (a container in a user namespace of
   its own: keep-id, nomap, auto, --uidmap): `m` becomes a fuse-overlayfs
   mount with uidmapping=/gidmapping= (pc_idmap_fuse_mapping's format), so a
   file owned by image id X shows as container id X and a file the container
   creates as container id X lands on disk as X, as in a default container.
   The kernel refuses idmapped overlay mounts, and an unprivileged user
   cannot idmap the store's filesystem. overlay: the same lower, upper and
   work dirs; vfs: the container's copy becomes the upper dir over an empty
   lower one. Nothing is copied or chowned. Needs the fuse-overlayfs program
   (class PC_ERR_UNSUPPORTED with the fix when it is missing). */
int pc_rootfs_mount_shift (struct pc_rootfs_mount *m, const char *uidmapping,
                           const char *gidmapping, pc_error **err);

/* Layer diff of a container (upper dir) as an OCI layer tar with whiteouts. */
int pc_storage_diff_tar (struct pc_store *s, const char *cid, int out_fd, pc_error **err);
/* New image from a container: base image + diff layer + config (pc commit).
   config: the full OCI image config to use (rootfs/history are completed here);
   name may be NULL (dangling). */
int pc_store_commit (struct pc_store *s, const char *cid, const struct pc_image *base,
                     json_object *config, const char *name, char **new_id, pc_error **err);

/* `pc image mount`: a read-only view of the image that outlives the command
   (fuse-overlayfs mounted in the caller's namespace, or a vfs copy).
   Returns the path. */
int pc_store_image_mount (struct pc_store *s, const struct pc_image *img, char **path,
                          pc_error **err);
int pc_store_image_unmount (struct pc_store *s, const struct pc_image *img, pc_error **err);
/* The mount path when mounted, else NULL. */
char *pc_store_image_mounted (struct pc_store *s, struct pc_image *img);
/* The image's layers as overlay's lower dirs, "TOP:...:BOTTOM" (absolute
   paths of the extracted layers, whatever the driver): with no upper dir, a
   read-only view of the image (--mount type=image). NULL for an image
   without layers. */
char *pc_store_image_lowerdirs (struct pc_store *s, const struct pc_image *img);

/* Lower level, for tests and the transports. */
/* Extracts a layer tar (gzip/zstd/plain) read from fd into dirfd (an empty
   directory), converting OCI whiteouts to overlay ones; refuses hostile
   entries. diff_id_out gets "sha256:<hex>" of the uncompressed tar. */
struct pc_layer_apply_opts
{
  bool vfs;          /* apply whiteouts by deletion instead of marking them */
  int64_t *diff_size; /* out, optional */
};
int pc_storage_layer_apply (int fd, int dirfd, const struct pc_layer_apply_opts *opts,
                            char diff_id_out[72], pc_error **err);
/* The same, and what the compressed side was: fd is read front to back and
   never seeked (a pipe or a socket works), the compression sniffed from its
   first bytes; every byte read is hashed into digest and, with tee_fd >= 0,
   copied there. */
struct pc_layer_blob
{
  int tee_fd;         /* in: -1 for no copy */
  char digest[72];    /* out: "sha256:<hex>" of every byte read from fd */
  int64_t size;       /* out */
  int compression;    /* out: 0 none, 1 gzip, 2 zstd */
};
int pc_storage_layer_apply_stream (int fd, int dirfd, const struct pc_layer_apply_opts *opts,
                                   struct pc_layer_blob *blob, char diff_id_out[72],
                                   pc_error **err);
/* One layer into the store as it arrives on fd (a pull extracts while it
   downloads): the blob must hash to expected_digest and its tar to
   expected_diff_id (both "sha256:<hex>"), checked while reading; the layer
   becomes the child of parent_chain (NULL: a base layer) and its blob is
   kept. A mismatch, a truncated stream or a hostile entry leaves nothing
   in the store (class PC_ERR_INVALID). The parent need not be stored yet
   (a pull applies layers in parallel); a layer whose image never gets
   registered is collected by the next gc, or reused by the next pull. chain_id_out gets the layer's chain
   id. Returns 0, or 1 when the store already has the layer and the blob
   (fd is then not read). The caller is in pc's user namespace already. */
int pc_store_layer_apply_stream (struct pc_store *s, int fd, const char *expected_digest,
                                 const char *expected_diff_id, const char *parent_chain,
                                 char chain_id_out[72], pc_error **err);
/* A registry pull (pkg/registry). Layers go in first, through
   pc_store_layer_apply_stream, in parallel: each thread uses its own handle
   (pc_store_reopen) and a layer may land before its parent. */
int pc_store_reopen (struct pc_store *s, struct pc_store **out, pc_error **err);
/* The layer (by chain id) and its blob are both in the store. */
bool pc_store_has_layer_blob (struct pc_store *s, const char *chain_id, const char *blob_digest);
struct pc_store_pulled_layer
{
  const char *digest;      /* blob digest, in the store already */
  const char *media_type;
  int64_t size;
};
struct pc_store_new_image
{
  const char *manifest;    /* raw bytes, hashing to manifest_digest */
  size_t manifest_len;
  const char *manifest_digest;
  const char *manifest_type;
  const char *config;      /* raw bytes, hashing to config_digest */
  size_t config_len;
  const char *config_digest;
  const struct pc_store_pulled_layer *layers;
  size_t n_layers;
  const char *name;        /* NULL or a reference by digest: no name */
  const char *list_digest; /* the index or list it was chosen from, or NULL: the
                              image's Digest, and in its digests after the
                              manifest's (podman's RepoDigests) */
};
/* A stored blob, for a push: opened read-only, or read whole (a config or
   manifest, capped). */
int pc_store_blob_open (struct pc_store *s, const char *digest, pc_error **err);
int pc_store_blob_read (struct pc_store *s, const char *digest, char **data, size_t *len,
                        pc_error **err);
/* Registers the image (atomically, as a load does): digests checked again,
   the config's diff_ids against the stored layers. */
int pc_store_image_add (struct pc_store *s, const struct pc_store_new_image *ni, char **id_out,
                        pc_error **err);
/* Writes dirfd (an overlay upper dir) as a tar layer: char 0/0 -> .wh.NAME,
   user.overlay.opaque -> .wh..wh..opq. */
int pc_storage_dir_to_tar (int dirfd, int out_fd, pc_error **err);

/* Loads libarchive now (archive-lazy.c loads it at its first use). A process
   that will use it after leaving the host's mount namespace (cp into a
   running container) calls this before, and gets an error instead of an
   exit when the library is missing. */
int pc_storage_archive_load (pc_error **err);

#endif
