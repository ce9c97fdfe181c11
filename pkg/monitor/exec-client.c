/* The client side of exec sessions (pc exec -d / -t): the request to the
   monitor, its answer, and the records it keeps (see pkg/monitor/exec.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"
#include "pkg/monitor/protocol.h"

static int
send_request (int sock, json_object *request, pc_error **err)
{
  const char *text = json_object_to_json_string_ext (request, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen (text);
  if (len > PC_MONITOR_EXEC_REQ_MAX)
    return pc_error_makec (err, PC_ERR_INVALID, E2BIG, "the exec request is too large (%zu bytes)", len);
  pc_autoclose int memfd = memfd_create ("pc-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0)
    return pc_error_errno (err, errno, "memfd_create");
  if (pc_write_all (memfd, text, len, err) < 0)
    return -1;
  fcntl (memfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  char type = PC_MSG_EXEC;
  struct iovec iov = { .iov_base = &type, .iov_len = 1 };
  union
  {
    struct cmsghdr h;
    char buf[CMSG_SPACE (sizeof (int))];
  } cm;
  memset (&cm, 0, sizeof cm);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                        .msg_controllen = sizeof cm.buf };
  struct cmsghdr *h = CMSG_FIRSTHDR (&msg);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (h), &memfd, sizeof memfd);
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "send the exec request to the container's monitor");
  return 0;
}

/* Waits for EXEC_RESULT (other packets, the container's output, are
   skipped); returns its payload length, with the fd it carried. */
static ssize_t
recv_result (int sock, char *pkt, size_t size, int *passed, pc_error **err)
{
  for (;;)
    {
      union
      {
        struct cmsghdr h;
        char buf[CMSG_SPACE (4 * sizeof (int))];
      } cm;
      struct iovec iov = { .iov_base = pkt, .iov_len = size };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf };
      ssize_t r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return pc_error_errno (err, errno, "read from the container's monitor");
      if (r == 0)
        return pc_error_makec (err, PC_ERR_STATE, EIO,
                               "can only create exec sessions on running containers: container state improper");
      for (struct cmsghdr *h = CMSG_FIRSTHDR (&msg); h; h = CMSG_NXTHDR (&msg, h))
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
          {
            size_t n = (h->cmsg_len - CMSG_LEN (0)) / sizeof (int);
            for (size_t i = 0; i < n; i++)
              {
                int f;
                memcpy (&f, CMSG_DATA (h) + i * sizeof (int), sizeof f);
                if (*passed < 0 && pkt[0] == PC_MSG_EXEC_RESULT)
                  *passed = f;
                else
                  close (f);
              }
          }
      if (pkt[0] == PC_MSG_EXEC_RESULT)
        return r;
    }
}

int
pc_monitor_exec (const char *state_dir, json_object *request, char **id, int *conn, int *console_fd,
                 pc_error **err)
{
  *id = NULL;
  *conn = -1;
  *console_fd = -1;
  uint32_t features = 0;
  pc_autoclose int sock = pc_mon_attach_connect_features (state_dir, &features, err);
  if (sock < 0)
    {
      if (*err && ((*err)->status == ENOENT || (*err)->status == ECONNREFUSED))
        {
          pc_error_clear (err);
          return pc_error_makec (err, PC_ERR_STATE, ESRCH,
                                 "can only create exec sessions on running containers: container state improper");
        }
      return -1;
    }
  if (!(features & PC_MONITOR_FEATURE_EXEC))
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "the container's monitor was started by an older pc without exec sessions "
                           "(exec -d, exec -t): restart the container to use them");
  if (send_request (sock, request, err) < 0)
    return -1;
  pc_autofree char *pkt = xmalloc (PC_MONITOR_PKT_MAX + 1);
  int passed = -1;
  ssize_t n = recv_result (sock, pkt, PC_MONITOR_PKT_MAX, &passed, err);
  if (n < 0)
    return -1;
  pc_autoclose int console = passed;
  if (pc_mon_start_result_decode (pkt + 1, (size_t) n - 1, err) < 0)
    return -1;
  /* Success: the message is the session id. */
  const char *name = pkt + 1 + sizeof (int32_t);
  const char *nul = memchr (name, '\0', (size_t) n - 1 - sizeof (int32_t));
  if (nul == NULL || (size_t) (pkt + n - (nul + 1)) != 64)
    return pc_error_make (err, EPROTO, "malformed exec result from the container's monitor");
  *id = xstrndup (nul + 1, 64);
  if (!pc_json_get_bool (request, "detach", false))
    {
      *conn = steal_fd (&sock);
      *console_fd = steal_fd (&console);
    }
  return 0;
}

int
pc_monitor_exec_exit (int conn, int *exit_code)
{
  char pkt[PC_MONITOR_PKT_MAX];
  ssize_t r = recv (conn, pkt, sizeof pkt, MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (r <= 0)
    return -1;
  if (pkt[0] == PC_MSG_EXEC_EXIT && (size_t) r >= 1 + sizeof (int32_t))
    {
      int32_t c;
      memcpy (&c, pkt + 1, sizeof c);
      *exit_code = c;
      return 1;
    }
  return 0;
}

static bool
valid_id (const char *id)
{
  size_t n = strlen (id);
  return n == 64 && strspn (id, "0123456789abcdef") == 64;
}

int
pc_monitor_exec_record (const char *state_dir, const char *id, bool *running, int *exit_code,
                        pc_error **err)
{
  if (!valid_id (id))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid exec session id `%s`", id);
  pc_autofree char *path = xasprintf ("%s/%s/%s.json", state_dir, PC_MONITOR_EXEC_DIR, id);
  pc_autojson json_object *o = pc_json_read_file_max (AT_FDCWD, path, 64 * 1024, err);
  if (o == NULL)
    {
      if (*err && (*err)->status == ENOENT)
        pc_error_set_class (err, PC_ERR_NOT_FOUND);
      return -1;
    }
  *running = pc_json_get_bool (o, "Running", false);
  *exit_code = (int) pc_json_get_int (o, "ExitCode", -1);
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
pc_monitor_exec_list (const char *state_dir)
{
  pc_autofree char *path = xasprintf ("%s/%s", state_dir, PC_MONITOR_EXEC_DIR);
  DIR *d = opendir (path);
  if (d == NULL)
    return NULL;
  char **v = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t l = strlen (de->d_name);
      if (l != 69 || strcmp (de->d_name + 64, ".json") != 0)
        continue;
      char *id = xstrndup (de->d_name, 64);
      if (!valid_id (id))
        {
          free (id);
          continue;
        }
      pc_strv_append_take (&v, id);
      n++;
    }
  closedir (d);
  if (n > 1)
    qsort (v, n, sizeof *v, cmp_str);
  return v;
}
