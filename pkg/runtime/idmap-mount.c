/* Idmapped bind mounts (podman's -v SRC:DST:idmap[=uids=...;gids=...]).

   mount_setattr(MOUNT_ATTR_IDMAP) wants CAP_SYS_ADMIN over the user
   namespace that owns the source's filesystem, the host's: the container
   process, root only in its own namespace, cannot make one. So the runtime
   makes each one in the parent, before the clone: open_tree(OPEN_TREE_CLONE)
   of the source, the bind's attributes and the idmap set on that detached
   tree with a user namespace carrying the map (a throwaway namespace with
   the container's maps, or the custom ones), and the child inherits the fd
   and only moves it into place. A detached tree cannot be cloned again
   (open_tree of it is EINVAL), so it is moved, not bound. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

/* podman's "uids=0-1-10#10-11-10": ranges FS-HOST-SIZE, as uid_map lines
   "FS HOST SIZE" of the mount's namespace. NULL with err set when malformed. */
static char *
custom_map_text (const char *ranges, const char *what, pc_error **err)
{
  pc_autofree char *copy = xstrdup (ranges);
  pc_autofree char *out = xstrdup ("");
  char *save = NULL;
  for (char *r = strtok_r (copy, "#", &save); r; r = strtok_r (NULL, "#", &save))
    {
      unsigned long v[3];
      char *p = r, *end;
      for (int i = 0; i < 3; i++)
        {
          errno = 0;
          v[i] = strtoul (p, &end, 10);
          if (end == p || errno || v[i] > 0xffffffffUL || *end != (i < 2 ? '-' : '\0') || *p == '-')
            {
              pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                              "volume option idmap: invalid %s range \"%s\": want FROM-TO-SIZE, "
                              "ranges separated with #", what, r);
              return NULL;
            }
          p = end + 1;
        }
      if (v[2] == 0)
        {
          pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume option idmap: %s range \"%s\" has size 0",
                          what, r);
          return NULL;
        }
      char *n = xasprintf ("%s%lu %lu %lu\n", out, v[0], v[1], v[2]);
      free (out);
      out = n;
    }
  if (*out == '\0')
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume option idmap: no %s range given", what);
      return NULL;
    }
  return steal_pointer (&out);
}

/* "idmap=uids=...;gids=..." (either may be missing: it then maps both). */
static int
custom_maps (const char *spec, char **uid_map, char **gid_map, pc_error **err)
{
  pc_autofree char *copy = xstrdup (spec);
  const char *uids = NULL, *gids = NULL;
  char *save = NULL;
  for (char *kv = strtok_r (copy, ";", &save); kv; kv = strtok_r (NULL, ";", &save))
    if (strncmp (kv, "uids=", 5) == 0)
      uids = kv + 5;
    else if (strncmp (kv, "gids=", 5) == 0)
      gids = kv + 5;
    else
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "volume option idmap: unknown mapping \"%s\": want uids=...;gids=...", kv);
  if (uids == NULL && gids == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume option idmap=%s: want uids=...;gids=...", spec);
  *uid_map = custom_map_text (uids ? uids : gids, "uids", err);
  if (*uid_map == NULL)
    return -1;
  *gid_map = custom_map_text (gids ? gids : uids, "gids", err);
  if (*gid_map == NULL)
    {
      free (steal_pointer (uid_map));
      return -1;
    }
  return 0;
}

static int
write_proc (pid_t pid, const char *file, const char *text)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  pc_autoclose int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  if (n != (ssize_t) strlen (text))
    {
      if (n >= 0)
        errno = EIO;
      return -1;
    }
  return 0;
}

struct idmap_clone_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* A user namespace with these maps, held by the returned fd: a child made
   in it waits until its maps are written and the namespace opened. */
static int
userns_with_maps (const char *uid_map, const char *gid_map, pc_error **err)
{
  int gate[2];
  if (pipe2 (gate, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  struct idmap_clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    {
      char b;
      close (gate[1]);
      while (read (gate[0], &b, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  int e = errno;
  close (gate[0]);
  if (pid < 0)
    {
      close (gate[1]);
      return pc_error_errno (err, e, "create a user namespace for an idmapped mount");
    }
  int fd = -1;
  if (write_proc (pid, "uid_map", uid_map) < 0 || write_proc (pid, "gid_map", gid_map) < 0)
    pc_error_errno (err, errno, "write the id map of an idmapped mount's user namespace (%s)", uid_map);
  else
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        pc_error_errno (err, errno, "open `%s`", path);
    }
  close (gate[1]);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return fd;
}

int
rt_idmap_mounts_prepare (struct rt_spec *s, pc_error **err)
{
  pc_autoclose int ctr_userns = -1;
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      struct rt_mount *m = &s->mounts[i];
      if (m->idmap == NULL)
        continue;
      if (!m->bind || m->overlay || m->chown)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "mount `%s`: idmap applies to a plain bind mount (not with O or U)", m->dest);
      pc_autoclose int own_userns = -1;
      int userns;
      if (*m->idmap)
        {
          pc_autofree char *uid_map = NULL, *gid_map = NULL;
          if (custom_maps (m->idmap, &uid_map, &gid_map, err) < 0)
            return -1;
          own_userns = userns_with_maps (uid_map, gid_map, err);
          if (own_userns < 0)
            return -1;
          userns = own_userns;
        }
      else
        {
          if (s->idmap.uid_map == NULL || s->idmap.gid_map == NULL)
            return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, EPERM,
                                   "mount_setattr `%s`: volume option idmap maps the source to the "
                                   "container's user namespace, and this container has none of its own "
                                   "(give --uidmap/--gidmap or --userns=auto, or the map itself: "
                                   "idmap=uids=0-100000-65536;gids=0-100000-65536): %s",
                                   m->source, strerror (EPERM));
          if (ctr_userns < 0 && (ctr_userns = userns_with_maps (s->idmap.uid_map, s->idmap.gid_map, err)) < 0)
            return -1;
          userns = ctr_userns;
        }
      unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->recursive ? AT_RECURSIVE : 0);
      pc_autoclose int tfd = open_tree (AT_FDCWD, m->source, flags);
      if (tfd < 0)
        return pc_error_errno (err, errno, "bind `%s`", m->source);
      struct mount_attr attr = {
        .attr_set = m->attr_set | MOUNT_ATTR_IDMAP,
        .attr_clr = m->attr_clr | (m->atime_set ? MOUNT_ATTR__ATIME : 0),
        .userns_fd = (uint64_t) userns,
      };
      if (mount_setattr (tfd, "", AT_EMPTY_PATH | (m->recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
        {
          int e = errno;
          return pc_error_makec (err, e == EINVAL || e == EPERM ? PC_ERR_UNSUPPORTED : PC_ERR_GENERIC, e,
                                 "mount_setattr `%s`: make an idmapped mount (%s)%s", m->source,
                                 strerror (e),
                                 e == EINVAL ? ": its filesystem may not support idmapped mounts" : "");
        }
      m->idmap_fd = steal_fd (&tfd);
    }
  return 0;
}

void
rt_idmap_mounts_close (struct rt_spec *s)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (s->mounts[i].idmap != NULL && s->mounts[i].idmap_fd >= 0)
      {
        close (s->mounts[i].idmap_fd);
        s->mounts[i].idmap_fd = -1;
      }
}

int
rt_idmap_attach (const struct rt_mount *m, int destfd, pc_error **err)
{
  if (m->idmap_fd < 0)
    return pc_error_make (err, EBADF, "the idmapped mount of `%s` was not prepared", m->source);
  if (move_mount (m->idmap_fd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "attach the idmapped mount of `%s`", m->source);
  int fd = fcntl (m->idmap_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return pc_error_errno (err, errno, "dup");
  return fd;
}
