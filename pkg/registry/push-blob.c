/* The blob side of a push: the existence check, the cross-repository
   mount, and the upload (one PUT for a blob that fits a chunk, else PATCH
   chunks and a final PUT carrying the digest), compressing on the way when
   the stored blob is not in the wanted compression. The digest of a
   compressed blob is only known at its end: chunks go out as the
   compressor fills them and the final PUT names the digest. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/push.h"
#include "pkg/storage/storage.h"

/* A blob up to this size goes in one PUT; a larger one in PATCHes of it. */
#define CHUNK (32u << 20)
#define READ_BLOCK (1u << 20)

struct upload
{
  struct pc_registry_client *c;
  const char *repo;
  char *location;        /* where the next PATCH or the final PUT goes */
  struct pc_sha256 *h;
  char *buf;             /* the pending chunk */
  size_t len;
  int64_t sent;          /* bytes PATCHed so far */
  const struct reg_push_progress *prog;
  pc_error *err;         /* set by a write from libarchive's callback */
};

static void
upload_clear (struct upload *u)
{
  free (u->location);
  free (u->buf);
  if (u->h)
    pc_sha256_free (u->h);
  pc_error_free (u->err);
  memset (u, 0, sizeof *u);
}

static int
take_location (struct upload *u, struct pc_registry_response *r, const char *what, pc_error **err)
{
  if (r->location == NULL || *r->location == '\0')
    return pc_error_make (err, EPROTO, "%s: the registry gave no upload location", what);
  free (u->location);
  u->location = steal_pointer (&r->location);
  return 0;
}

int
reg_blob_exists (struct pc_registry_client *c, const char *repo, const char *digest, bool *exists,
                 pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/blobs/%s", repo, digest);
  struct pc_registry_request rq = { .method = "HEAD", .repo = repo, .actions = "pull,push",
                                    .path = path };
  struct pc_registry_response r = { .content_length = -1 };
  int ret = pc_registry_request (c, &rq, &r, err);
  if (ret == 0)
    {
      *exists = r.status == 200;
      if (r.status != 200 && r.status != 404)
        {
          pc_autofree char *w = xasprintf ("checking whether blob %s exists in %s", digest, repo);
          ret = pc_registry_status_error (&r, w, err);
        }
    }
  pc_registry_response_clear (&r);
  return ret;
}

/* POST .../blobs/uploads/, with ?mount=&from= when from is given: 1 when
   the registry mounted the blob, 0 with an upload session in u. */
static int
upload_begin (struct upload *u, const char *digest, const char *from, pc_error **err)
{
  pc_autofree char *path = from ? xasprintf ("%s/blobs/uploads/?mount=%s&from=%s", u->repo, digest, from)
                                : xasprintf ("%s/blobs/uploads/", u->repo);
  struct pc_registry_request rq = { .method = "POST", .repo = u->repo, .actions = "pull,push",
                                    .path = path };
  struct pc_registry_response r = { .content_length = -1 };
  int ret = pc_registry_request (u->c, &rq, &r, err);
  if (ret == 0)
    {
      if (from && r.status == 201)
        ret = 1;
      else if (r.status == 202)
        ret = take_location (u, &r, "starting an upload", err);
      else
        {
          pc_autofree char *w = xasprintf ("starting an upload to %s", u->repo);
          ret = pc_registry_status_error (&r, w, err);
        }
    }
  pc_registry_response_clear (&r);
  return ret;
}

static char *
with_query (const char *url, const char *kv)
{
  return xasprintf ("%s%c%s", url, strchr (url, '?') ? '&' : '?', kv);
}

static int
upload_patch (struct upload *u, pc_error **err)
{
  if (u->len == 0)
    return 0;
  pc_autofree char *range = xasprintf ("Content-Range: %lld-%lld", (long long) u->sent,
                                       (long long) (u->sent + (int64_t) u->len - 1));
  const char *hdrs[] = { "Content-Type: application/octet-stream", range, NULL };
  struct pc_registry_request rq = { .method = "PATCH", .repo = u->repo, .actions = "pull,push",
                                    .path = u->location, .headers = hdrs, .body = u->buf,
                                    .body_len = u->len, .no_retry = true };
  struct pc_registry_response r = { .content_length = -1 };
  int ret = pc_registry_request (u->c, &rq, &r, err);
  if (ret == 0)
    {
      if (r.status == 202 || r.status == 204)
        ret = take_location (u, &r, "uploading a chunk", err);
      else
        {
          pc_autofree char *w = xasprintf ("uploading a chunk to %s", u->repo);
          ret = pc_registry_status_error (&r, w, err);
        }
    }
  pc_registry_response_clear (&r);
  if (ret == 0)
    {
      u->sent += (int64_t) u->len;
      u->len = 0;
    }
  return ret;
}

static int
upload_write (struct upload *u, const void *buf, size_t len, pc_error **err)
{
  pc_sha256_update (u->h, buf, len);
  const char *p = buf;
  while (len > 0)
    {
      if (u->buf == NULL)
        u->buf = xmalloc (CHUNK);
      size_t n = CHUNK - u->len < len ? CHUNK - u->len : len;
      memcpy (u->buf + u->len, p, n);
      u->len += n;
      p += n;
      len -= n;
      if (u->len == CHUNK && upload_patch (u, err) < 0)
        return -1;
      if (u->prog && u->prog->fn)
        u->prog->fn (u->prog, u->sent + (int64_t) u->len);
    }
  return 0;
}

/* The final PUT: the rest of the bytes (all of them for a small blob) and
   the digest, checked against what was sent when want is given. */
static int
upload_finish (struct upload *u, const char *want, char digest[72], int64_t *size, pc_error **err)
{
  char hex[65];
  pc_sha256_final_hex (u->h, hex);
  snprintf (digest, 72, "sha256:%s", hex);
  if (want && strcmp (want, digest) != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EIO,
                           "blob %s is corrupt in the store (its content is %s): remove the image and load or pull it again",
                           want, digest);
  *size = u->sent + (int64_t) u->len;
  pc_autofree char *q = xasprintf ("digest=%s", digest);
  pc_autofree char *url = with_query (u->location, q);
  const char *hdrs[] = { "Content-Type: application/octet-stream", NULL };
  struct pc_registry_request rq = { .method = "PUT", .repo = u->repo, .actions = "pull,push",
                                    .path = url, .headers = hdrs, .body = u->buf ? u->buf : "",
                                    .body_len = u->len, .no_retry = true };
  struct pc_registry_response r = { .content_length = -1 };
  int ret = pc_registry_request (u->c, &rq, &r, err);
  if (ret == 0 && r.status != 201 && r.status != 204)
    {
      pc_autofree char *w = xasprintf ("uploading blob %s to %s", digest, u->repo);
      ret = pc_registry_status_error (&r, w, err);
    }
  pc_registry_response_clear (&r);
  return ret;
}

int
reg_blob_put_bytes (struct pc_registry_client *c, const char *repo, const void *data, size_t len,
                    const char *digest, pc_error **err)
{
  struct upload u = { .c = c, .repo = repo, .h = pc_sha256_new () };
  char got[72];
  int64_t size;
  int ret = upload_begin (&u, digest, NULL, err);
  if (ret == 0)
    {
      u.buf = xmalloc (len ? len : 1);
      memcpy (u.buf, data, len);
      u.len = len;
      pc_sha256_update (u.h, data, len);
      ret = upload_finish (&u, digest, got, &size, err);
    }
  upload_clear (&u);
  return ret < 0 ? -1 : 0;
}

int
reg_blob_mount (struct pc_registry_client *c, const char *repo, const char *digest,
                const char *from, bool *mounted, pc_error **err)
{
  struct upload u = { .c = c, .repo = repo };
  int r = upload_begin (&u, digest, from, err);
  /* A 202 opened a session we do not use: it expires on the registry. */
  upload_clear (&u);
  if (r < 0)
    return -1;
  *mounted = r == 1;
  return 0;
}

/* The sniffed compression of a stored blob: REG_COMP_NONE, _GZIP, _ZSTD. */
int
reg_blob_sniff (int fd)
{
  unsigned char m[4] = { 0 };
  ssize_t n = pread (fd, m, sizeof m, 0);
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
    return REG_COMP_GZIP;
  if (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return REG_COMP_ZSTD;
  return REG_COMP_NONE;
}

int
reg_blob_upload_file (struct pc_registry_client *c, const char *repo, int fd, const char *digest,
                      const struct reg_push_progress *prog, int64_t *size, pc_error **err)
{
  struct upload u = { .c = c, .repo = repo, .h = pc_sha256_new (), .prog = prog };
  pc_autofree char *buf = xmalloc (READ_BLOCK);
  int ret = upload_begin (&u, digest, NULL, err);
  if (ret < 0)
    goto out;
  off_t off = 0;
  for (;;)
    {
      ssize_t n = pread (fd, buf, READ_BLOCK, off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          ret = pc_error_errno (err, errno, "read blob %s", digest);
          goto out;
        }
      if (n == 0)
        break;
      off += n;
      if ((ret = upload_write (&u, buf, (size_t) n, err)) < 0)
        goto out;
    }
  char got[72];
  ret = upload_finish (&u, digest, got, size, err);
out:
  upload_clear (&u);
  return ret;
}

/* ---- compressing on the way ---- */

static la_ssize_t
on_compressed (struct archive *a, void *data, const void *buf, size_t len)
{
  struct upload *u = data;
  if (upload_write (u, buf, len, &u->err) < 0)
    {
      archive_set_error (a, EIO, "upload failed");
      return -1;
    }
  return (la_ssize_t) len;
}

int
reg_blob_upload_compressed (struct pc_registry_client *c, const char *repo, int fd,
                            const char *diff_id, int comp, const struct reg_push_progress *prog,
                            char digest[72], int64_t *size, pc_error **err)
{
  struct upload u = { .c = c, .repo = repo, .h = pc_sha256_new (), .prog = prog };
  struct archive *in = archive_read_new ();
  struct archive *out = archive_write_new ();
  struct pc_sha256 *th = pc_sha256_new ();
  pc_autofree char *buf = xmalloc (READ_BLOCK);
  struct archive_entry *e;
  int ret = upload_begin (&u, NULL, NULL, err);
  if (ret < 0)
    goto out;
  ret = -1;
  archive_read_support_filter_gzip (in);
  archive_read_support_filter_zstd (in);
  archive_read_support_format_raw (in);
  if (archive_read_open_fd (in, fd, READ_BLOCK) != ARCHIVE_OK
      || archive_read_next_header (in, &e) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "read layer %s: %s", diff_id, archive_error_string (in));
      goto out;
    }
  archive_write_set_format_raw (out);
  if (comp == REG_COMP_ZSTD)
    archive_write_add_filter_zstd (out);
  else
    {
      archive_write_add_filter_gzip (out);
      /* No time stamp in the header: the same layer compresses to the
         same blob, so a second push finds it. */
      archive_write_set_filter_option (out, "gzip", "timestamp", NULL);
    }
  archive_write_set_bytes_per_block (out, 0);
  if (archive_write_open (out, &u, NULL, on_compressed, NULL) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "compress layer %s: %s", diff_id, archive_error_string (out));
      goto out;
    }
  struct archive_entry *we = archive_entry_new ();
  archive_entry_set_pathname (we, "layer");
  archive_entry_set_filetype (we, AE_IFREG);
  archive_entry_set_perm (we, 0644);
  int hr = archive_write_header (out, we);
  archive_entry_free (we);
  if (hr != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "compress layer %s: %s", diff_id, archive_error_string (out));
      goto out;
    }
  la_ssize_t n;
  while ((n = archive_read_data (in, buf, READ_BLOCK)) > 0)
    {
      pc_sha256_update (th, buf, (size_t) n);
      if (archive_write_data (out, buf, (size_t) n) != n)
        goto write_failed;
    }
  if (n < 0)
    {
      pc_error_make (err, EIO, "read layer %s: %s", diff_id, archive_error_string (in));
      goto out;
    }
  if (archive_write_close (out) != ARCHIVE_OK)
    goto write_failed;
  char hex[65];
  pc_sha256_final_hex (th, hex);
  if (diff_id && (strncmp (diff_id, "sha256:", 7) != 0 || strcmp (diff_id + 7, hex) != 0))
    {
      pc_error_makec (err, PC_ERR_INVALID, EIO,
                      "layer %s is corrupt in the store (its content is sha256:%s): remove the image and load or pull it again",
                      diff_id, hex);
      goto out;
    }
  ret = upload_finish (&u, NULL, digest, size, err);
  goto out;
write_failed:
  if (u.err)
    {
      *err = u.err;
      u.err = NULL;
    }
  else
    pc_error_make (err, EIO, "compress layer %s: %s", diff_id, archive_error_string (out));
out:
  archive_read_free (in);
  archive_write_free (out);
  pc_sha256_free (th);
  upload_clear (&u);
  return ret;
}
