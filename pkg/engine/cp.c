/* pc cp: files between the host and a container, podman's rules.

   Everything inside the container is resolved from an fd of its root with
   RESOLVE_IN_ROOT (pc_safe_openat), and below the top-level path every
   entry is opened relative to its directory's fd with O_NOFOLLOW: a symlink
   in the container, absolute or full of "..", can neither lead a read out
   to the host nor a write out of the root. Host paths are resolved before
   anything joins the container; below them the same fd walk applies.

   A running container: a helper process, non-dumpable, joins the user and
   mount namespaces of the container's pid 1 through a pidfd checked against
   its recorded start time (as exec does), so it sees the container's root
   as "/" with its mounts and writes with the container's ids. A stopped
   one: its root is mounted in a private mount namespace of pc's own user
   namespace (as export does), under the container's lock, so it cannot
   start meanwhile. Either way the same copier runs in one process. */
#include "pkg/engine/internal.h"
#include "pkg/engine/cp-copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

/* What the copier needs, prepared before any namespace is joined. */
struct cp_job
{
  const struct pc_cp_opts *o;
  const char *ctr_name;
  struct cp_ctx ctx;
  /* host side */
  int host_fd;          /* to a container: the source; from one: the directory to write in */
  struct stat host_st;
  char *host_name;      /* the source's name, or the entry to create in host_fd (NULL: the source's) */
  bool host_dest_exists;
  bool dot;             /* the source path ends in "/." */
  int stream_fd;        /* "-": stdin or stdout */
};

/* The last component of a path the user typed, trailing slashes ignored;
   "." when it names a directory's contents. */
static char *
path_base (const char *p, bool *dot)
{
  size_t n = strlen (p);
  while (n > 1 && p[n - 1] == '/')
    n--;
  pc_autofree char *copy = xstrndup (p, n);
  *dot = n >= 2 && strcmp (copy + n - 2, "/.") == 0;
  if (strcmp (copy, ".") == 0)
    *dot = true;
  return xstrdup (basename (copy));
}

static bool
ends_with_slash (const char *p)
{
  size_t n = strlen (p);
  return n > 0 && p[n - 1] == '/';
}


/* Opens path in the container, following symlinks inside its root only:
   a directory or regular file for reading. */
static int
open_source_in_root (int rootfd, const char *path, struct stat *st, pc_error **err)
{
  pc_autoclose int p = pc_safe_openat (rootfd, path, O_PATH, 0, err);
  if (p < 0)
    return -1;
  if (fstat (p, st) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  if (!S_ISDIR (st->st_mode) && !S_ISREG (st->st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "\"%s\" must be a directory or a regular file", path);
  int fd = pc_safe_openat (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, err);
  if (fd < 0)
    return -1;
  struct stat now;
  if (fstat (fd, &now) < 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
    {
      close (fd);
      return pc_error_makec (err, PC_ERR_STATE, EAGAIN, "\"%s\" changed while it was opened", path);
    }
  return fd;
}

/* The directory a new entry goes in, and its name, for a container path
   that may be a symlink (followed inside the root, as podman does) or not
   exist yet. *exists, *is_dir describe what path resolves to. */
static int
resolve_dest_in_root (int rootfd, const char *path, char **name, bool *exists, bool *is_dir,
                      pc_error **err)
{
  pc_autofree char *cur = xstrdup (*path ? path : "/");
  for (int links = 0;; links++)
    {
      pc_autoerror pc_error *e = NULL;
      pc_autoclose int fd = pc_safe_openat (rootfd, cur, O_PATH | O_NOFOLLOW, 0, &e);
      struct stat st;
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode) && links < 40)
        {
          char buf[PATH_MAX];
          ssize_t n = readlinkat (fd, "", buf, sizeof buf - 1);
          if (n < 0)
            return pc_error_errno (err, errno, "readlink `%s`", cur);
          buf[n] = '\0';
          pc_autofree char *copy = xstrdup (cur);
          char *next = buf[0] == '/' ? xstrdup (buf) : xasprintf ("%s/%s", dirname (copy), buf);
          free (cur);
          cur = next;
          continue;
        }
      *exists = fd >= 0;
      *is_dir = fd >= 0 && S_ISDIR (st.st_mode);
      if (*is_dir)
        {
          *name = NULL;
          pc_closep (&fd);
          return pc_safe_openat (rootfd, cur, O_RDONLY | O_DIRECTORY, 0, err);
        }
      if (fd < 0 && e->status != ENOENT)
        {
          *err = steal_pointer (&e);
          return -1;
        }
      bool dot;
      *name = path_base (cur, &dot);
      pc_autofree char *copy = xstrdup (cur);
      int dir = pc_safe_openat (rootfd, dirname (copy), O_RDONLY | O_DIRECTORY, 0, err);
      return dir;
    }
}

static int
not_found_in_ctr (const struct cp_job *j, pc_error **err)
{
  const char *why = *err ? strerror ((*err)->status) : "no such file or directory";
  pc_autofree char *w = xstrdup (why);
  w[0] = (char) (w[0] >= 'A' && w[0] <= 'Z' ? w[0] - 'A' + 'a' : w[0]);
  pc_error_clear (err);
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "\"%s\" could not be found on container %s: %s",
                         j->o->ctr_path, j->ctr_name, w);
}

/* The copy itself, with rootfd the container's root. */
static int
cp_run (struct cp_job *j, int rootfd, pc_error **err)
{
  const struct pc_cp_opts *o = j->o;
  if (o->to_container)
    {
      pc_autofree char *name = NULL;
      bool exists = false, is_dir = false;
      pc_autoclose int dfd = resolve_dest_in_root (rootfd, o->ctr_path, &name, &exists, &is_dir, err);
      if (dfd < 0)
        return (*err)->status == ENOENT ? not_found_in_ctr (j, err) : -1;
      if (j->stream_fd >= 0)
        {
          if (!is_dir)
            return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                                   "destination must be a directory when copying from stdin");
          return eng_cp_untar_into (&j->ctx, j->stream_fd, dfd, err);
        }
      struct stat st;
      if (fstat (j->host_fd, &st) < 0)
        return pc_error_errno (err, errno, "stat `%s`", o->host_path);
      bool src_dir = S_ISDIR (st.st_mode);
      if (!exists && ends_with_slash (o->ctr_path))
        {
          pc_error_errno (err, ENOENT, "stat");
          return not_found_in_ctr (j, err);
        }
      if (exists && !is_dir && src_dir)
        return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                               "destination must be a directory when copying a directory");
      const char *as = exists && is_dir ? (j->dot && src_dir ? NULL : j->host_name) : name;
      return eng_cp_copy_tree (&j->ctx, j->host_fd, &st, dfd, as, 0, err);
    }

  struct stat st;
  pc_autoclose int sfd = open_source_in_root (rootfd, o->ctr_path, &st, err);
  if (sfd < 0)
    return (*err)->status == ENOENT ? not_found_in_ctr (j, err) : -1;
  bool dot;
  pc_autofree char *sname = path_base (o->ctr_path, &dot);
  if (strcmp (sname, "/") == 0)
    dot = true;
  if (j->stream_fd >= 0)
    return eng_cp_tar_out (sfd, &st, dot && S_ISDIR (st.st_mode) ? NULL : sname, j->stream_fd, err);
  bool src_dir = S_ISDIR (st.st_mode);
  if (j->host_dest_exists && j->host_name && src_dir)
    return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                           "destination must be a directory when copying a directory");
  const char *as = j->host_name ? j->host_name : (dot && src_dir ? NULL : sname);
  return eng_cp_copy_tree (&j->ctx, sfd, &st, j->host_fd, as, 0, err);
}

/* Host side, resolved before anything is joined. */
static int
prepare_host (struct cp_job *j, pc_error **err)
{
  const struct pc_cp_opts *o = j->o;
  j->host_fd = -1;
  j->stream_fd = -1;
  if (strcmp (o->host_path, "-") == 0)
    {
      j->stream_fd = o->to_container ? 0 : 1;
      return 0;
    }
  struct stat st;
  if (o->to_container)
    {
      if (stat (o->host_path, &st) < 0)
        return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno, "\"%s\" could not be found on the host",
                                o->host_path);
      if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "\"%s\" must be a directory or a regular file",
                               o->host_path);
      j->host_fd = open (o->host_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      struct stat now;
      if (j->host_fd < 0 || fstat (j->host_fd, &now) < 0 || now.st_ino != st.st_ino)
        return pc_error_errno (err, j->host_fd < 0 ? errno : EAGAIN, "open `%s`", o->host_path);
      j->host_name = path_base (o->host_path, &j->dot);
      return 0;
    }
  if (stat (o->host_path, &st) == 0)
    {
      j->host_dest_exists = true;
      if (S_ISDIR (st.st_mode))
        {
          j->host_fd = open (o->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (j->host_fd < 0)
            return pc_error_errno (err, errno, "open `%s`", o->host_path);
          return 0;
        }
      if (!S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid destination: \"%s\" must be a directory or a regular file", o->host_path);
      /* A symlink to a file: the file it names is written, as podman. */
      pc_autofree char *real = realpath (o->host_path, NULL);
      if (real == NULL)
        return pc_error_errno (err, errno, "resolve `%s`", o->host_path);
      pc_autofree char *c1 = xstrdup (real), *c2 = xstrdup (real);
      j->host_fd = open (dirname (c1), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (j->host_fd < 0)
        return pc_error_errno (err, errno, "open `%s`", c1);
      j->host_name = xstrdup (basename (c2));
      return 0;
    }
  int e = errno;
  if (e != ENOENT || ends_with_slash (o->host_path))
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, e, "\"%s\" could not be found on the host", o->host_path);
  pc_autofree char *c1 = xstrdup (o->host_path);
  bool dot;
  j->host_name = path_base (o->host_path, &dot);
  j->host_fd = open (dirname (c1), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (j->host_fd < 0)
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, e, "\"%s\" could not be found on the host", o->host_path);
  return 0;
}

/* The container's main user (Config.User), as the owner of what is copied
   in with --archive. */
static int
main_user (struct pc_engine *e, struct pc_container *c, uid_t *uid, gid_t *gid, pc_error **err)
{
  *uid = 0;
  *gid = 0;
  const char *user = pc_json_get_string (pc_json_get (c->rec, "Config"), "User");
  if (user == NULL || *user == '\0')
    return 0;
  pc_autofree char *spath = xasprintf ("%s/config.json", c->id);
  pc_autojson json_object *spec = pc_json_read_file (e->ctr_dfd, spath, err);
  if (spec == NULL)
    return -1;
  struct pc_rootfs_mount m;
  if (eng_rootfs_from_spec (spec, &m, err) < 0)
    return -1;
  struct eng_user u;
  int r = eng_resolve_user (&m, user, &u, err);
  pc_rootfs_mount_clear (&m);
  if (r < 0)
    return -1;
  free (u.home);
  *uid = u.uid;
  *gid = u.gid;
  return 0;
}

/* A running container: the helper joins its user and mount namespaces. */
static int
cp_running (struct cp_job *j, struct pc_container *c, pc_error **err)
{
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, c->state.pid, 0);
  if (pidfd < 0 || c->state.pid_start == 0 || eng_proc_start_time (c->state.pid) != c->state.pid_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "container %s is not running any more", j->ctr_name);
  struct stat mine, theirs;
  pc_autofree char *uns = xasprintf ("/proc/%d/ns/user", (int) c->state.pid);
  int nstype = CLONE_NEWNS;
  if (stat ("/proc/self/ns/user", &mine) == 0 && stat (uns, &theirs) == 0 && mine.st_ino != theirs.st_ino)
    nstype |= CLONE_NEWUSER;
  /* The helper cannot load libarchive once it is in the container's root. */
  if (j->stream_fd >= 0 && pc_storage_archive_load (err) < 0)
    return -1;
  int ep[2];
  if (pipe2 (ep, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (ep[0]);
      close (ep[1]);
      return pc_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (ep[0]);
      pc_error *cerr = NULL;
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* Nothing in the container may reach into us once we are in. */
      if (prctl (PR_SET_DUMPABLE, 0) < 0)
        pc_error_errno (&cerr, errno, "prctl");
      else if (setns (pidfd, nstype) < 0)
        pc_error_errnoc (&cerr, PC_ERR_PERMISSION, errno, "join the namespaces of container %s", j->ctr_name);
      else
        {
          int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (rootfd < 0)
            pc_error_errno (&cerr, errno, "open the container's root");
          else
            cp_run (j, rootfd, &cerr);
        }
      if (cerr)
        {
          pc_autofree char *msg = xasprintf ("%s\n%d\n%s", pc_error_class_name (pc_error_class_of (cerr)),
                                             cerr->status, cerr->msg);
          (void) !write (ep[1], msg, strlen (msg));
          _exit (1);
        }
      _exit (0);
    }
  close (ep[1]);
  char buf[4096];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && ((n = read (ep[0], buf + len, sizeof buf - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      len += (size_t) n;
  buf[len] = '\0';
  close (ep[0]);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (len == 0)
    return pc_error_make (err, EIO, "the copying process died (status %d)", status);
  char *nl1 = strchr (buf, '\n');
  char *nl2 = nl1 ? strchr (nl1 + 1, '\n') : NULL;
  if (nl2 == NULL)
    return pc_error_make (err, EIO, "%s", buf);
  *nl1 = *nl2 = '\0';
  return pc_error_makec (err, pc_error_class_from_name (buf), atoi (nl1 + 1), "%s", nl2 + 1);
}

/* A container that is not running: its root mounted here, under its lock. */
static int
cp_stopped (struct pc_engine *e, struct cp_job *j, struct pc_container *c, pc_error **err)
{
  if (pc_engine_enter_userns (e, err) < 0)
    return -1;
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    return -1;
  int ret = -1;
  struct pc_rootfs_mount m = { 0 };
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    {
      pc_error_makec (err, PC_ERR_STATE, EBUSY, "container %s started meanwhile: try again", j->ctr_name);
      goto out;
    }
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL || pc_store_container_rootfs (s, c->id, &m, err) < 0)
    goto out;
  if (!pc_rootless_in_userns ()
      && (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
    {
      pc_error_errno (err, errno, "private mount namespace");
      goto out;
    }
  if (pc_storage_mount_rootfs (&m, err) < 0)
    goto out;
  {
    pc_autoclose int rootfd = open (m.target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
      pc_error_errno (err, errno, "open `%s`", m.target);
    else
      ret = cp_run (j, rootfd, err);
  }
  umount2 (m.target, MNT_DETACH);
out:
  pc_rootfs_mount_clear (&m);
  eng_unlock (lock);
  return ret;
}

int
pc_engine_cp (struct pc_engine *e, struct pc_container *c, const struct pc_cp_opts *o, pc_error **err)
{
  struct cp_job j = { .o = o, .ctr_name = *c->name ? c->name : c->id, .host_fd = -1, .stream_fd = -1 };
  int ret = -1;
  eng_state_read (e, c, true);
  bool running = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
  if (o->to_container)
    {
      j.ctx.owner = o->archive ? OWNER_FIXED : OWNER_SOURCE;
      if (o->archive && main_user (e, c, &j.ctx.uid, &j.ctx.gid, err) < 0)
        return -1;
    }
  else
    {
      j.ctx.owner = OWNER_WRITER;
      j.ctx.to_host = true;
      j.ctx.strip_suid = geteuid () == 0 && !pc_rootless_in_userns ();
    }
  j.ctx.overwrite = o->overwrite;
  if (prepare_host (&j, err) < 0)
    goto out;
  ret = running ? cp_running (&j, c, err) : cp_stopped (e, &j, c, err);
out:
  if (j.host_fd >= 0)
    close (j.host_fd);
  free (j.host_name);
  return ret;
}
