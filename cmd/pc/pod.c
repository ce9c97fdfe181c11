/* pc pod create and pod clone; the `pc pod` command table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "cmd/pc/pod.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"

struct pod_flags
{
  struct pc_pod_opts o;
  char *name, *hostname, *share, *infra_command, *infra_image, *infra_name, *network, *userns, *exit_policy;
  char *pod_id_file, *shm_size;
  bool infra;
  bool replace;
};

static void
pod_flags_clear (struct pod_flags *f)
{
  free (f->name);
  free (f->hostname);
  free (f->share);
  free (f->infra_command);
  free (f->infra_image);
  free (f->infra_name);
  free (f->network);
  free (f->userns);
  free (f->exit_policy);
  free (f->pod_id_file);
  free (f->shm_size);
  pc_strv_free (f->o.labels);
  pc_strv_free (f->o.publish);
  pc_strv_free (f->o.dns);
  pc_strv_free (f->o.dns_search);
  pc_strv_free (f->o.dns_option);
  pc_strv_free (f->o.add_host);
  pc_strv_free (f->o.volumes);
}

/* The flags pod create and pod clone share; extra: the command's own. */
static int
parse_pod_flags (const struct pc_command *cmd, int argc, char **argv, struct pod_flags *f,
                 const struct pc_opt *extra, int min, int max, char ***args, int *nargs)
{
  f->infra = true;
  f->o.share_parent = true;
  bool share_set = false;
  const struct pc_opt common[] = {
    { "add-host", 0, PC_OPT_STRV, &f->o.add_host, "strings", "Add a custom host-to-IP mapping (host:ip) (default [])" },
    { "dns", 0, PC_OPT_STRV, &f->o.dns, "strings", "Set custom DNS servers" },
    { "dns-option", 0, PC_OPT_STRV, &f->o.dns_option, "strings", "Set custom DNS options" },
    { "dns-search", 0, PC_OPT_STRV, &f->o.dns_search, "strings", "Set custom DNS search domains" },
    { "exit-policy", 0, PC_OPT_STRING, &f->exit_policy, "string", "Behaviour when the last container exits (default \"continue\")" },
    { "hostname", 'h', PC_OPT_STRING, &f->hostname, "string", "Set container hostname" },
    { "infra", 0, PC_OPT_BOOL, &f->infra, NULL, "Create an infra container associated with the pod to share namespaces with (default true)" },
    { "infra-command", 0, PC_OPT_STRING, &f->infra_command, "string", "Overwrite the default ENTRYPOINT of the image" },
    { "infra-image", 0, PC_OPT_STRING, &f->infra_image, "string", "Image to use to override builtin infra container" },
    { "infra-name", 0, PC_OPT_STRING, &f->infra_name, "string", "Assign a name to the container" },
    { "label", 'l', PC_OPT_STRV, &f->o.labels, "stringArray", "Set metadata on container" },
    { "name", 'n', PC_OPT_STRING, &f->name, "string", "Assign a name to the pod" },
    { "network", 0, PC_OPT_STRING, &f->network, "stringArray", "Connect a container to a network" },
    { "no-hosts", 0, PC_OPT_BOOL, &f->o.no_hosts, NULL, "Do not create /etc/hosts within the container, instead use the version from the image" },
    { "pod-id-file", 0, PC_OPT_STRING, &f->pod_id_file, "string", "Write the pod ID to the file" },
    { "publish", 'p', PC_OPT_STRV, &f->o.publish, "strings", "Publish a container's port, or a range of ports, to the host (default [])" },
    { "replace", 0, PC_OPT_BOOL, &f->replace, NULL, "If a pod with the same name exists, replace it" },
    { "share", 0, PC_OPT_STRING, &f->share, "string", "A comma delimited list of kernel namespaces the pod will share (default \"ipc,net,uts\")", &share_set },
    { "shm-size", 0, PC_OPT_STRING, &f->shm_size, "<number>[<unit>]", "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes)) (default \"65536k\")" },
    { "share-parent", 0, PC_OPT_BOOL, &f->o.share_parent, NULL, "Set the pod's cgroup as the cgroup parent for all containers joining the pod (default true)" },
    { "userns", 0, PC_OPT_STRING, &f->userns, "string", "User namespace to use" },
    { "volume", 'v', PC_OPT_STRV, &f->o.volumes, "stringArray", "Bind mount a volume into the container" },
  };
  size_t nc = sizeof common / sizeof *common, ne = 0;
  for (const struct pc_opt *x = extra; x && x->name; x++)
    ne++;
  pc_autofree struct pc_opt *opts = xmalloc0 ((nc + ne + 1) * sizeof *opts);
  memcpy (opts, common, sizeof common);
  if (ne)
    memcpy (opts + nc, extra, ne * sizeof *opts);
  int exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, min, max, args, nargs, &exit_code) != 0)
    return exit_code == 0 ? 1 : -1;
  f->o.name = f->name;
  f->o.hostname = f->hostname;
  f->o.share = share_set ? (f->share ? f->share : "") : NULL;
  f->o.no_infra = !f->infra;
  f->o.infra_command = f->infra_command;
  f->o.infra_image = f->infra_image;
  f->o.infra_name = f->infra_name;
  f->o.network = f->network;
  f->o.userns = f->userns;
  f->o.exit_policy = f->exit_policy;
  f->o.shm_size = f->shm_size;
  if (f->pod_id_file && access (f->pod_id_file, F_OK) == 0)
    {
      fprintf (stderr, "Error: pod id file exists. Ensure another pod is not using it or delete %s\n", f->pod_id_file);
      return -1;
    }
  return 0;
}

static int
write_id_file (const char *path, const char *id)
{
  pc_autoerror pc_error *err = NULL;
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (pc_output_open (path, PC_OUTPUT_EXCL, &out, &err) < 0 || pc_write_all (out.fd, id, strlen (id), &err) < 0
      || pc_output_commit (&out, &err) < 0)
    {
      fprintf (stderr, "Error: writing pod id file %s: %s\n", path, err->msg);
      return -1;
    }
  return 0;
}

/* The command line, for the record's CreateCommand (podman's shows it). */
static char *
command_line (int argc, char **argv, const char *verb)
{
  pc_autostrv char **w = NULL;
  pc_strv_append (&w, "pc");
  pc_strv_append (&w, "pod");
  pc_strv_append (&w, verb);
  for (int i = 1; i < argc; i++)
    pc_strv_append (&w, argv[i]);
  return pc_strv_join (w, " ");
}

static int
create_pod (struct pc_engine *e, struct pod_flags *f, const char *create_command, struct pc_pod **out)
{
  pc_error *err = NULL;
  f->o.create_command = create_command;
  if (f->replace && f->o.name)
    {
      pc_autopod struct pc_pod *old = NULL;
      pc_autoerror pc_error *lerr = NULL;
      if (pc_engine_pod_lookup (e, f->o.name, &old, &lerr) == 0 && pc_engine_pod_remove (e, old, true, -1, &err) < 0)
        return pc_cli_fail (err);
    }
  if (pc_engine_pod_create (e, &f->o, out, &err) < 0)
    return pc_cli_fail (err);
  if (f->pod_id_file && write_id_file (f->pod_id_file, (*out)->id) < 0)
    return PC_EXIT_ERROR;
  return 0;
}

static int
cmd_create (const struct pc_command *cmd, int argc, char **argv)
{
  struct pod_flags f = { 0 };
  char **args;
  int nargs;
  pc_autofree char *cl = command_line (argc, argv, "create");
  int r = parse_pod_flags (cmd, argc, argv, &f, NULL, 0, 1, &args, &nargs);
  if (r != 0)
    {
      pod_flags_clear (&f);
      return r > 0 ? 0 : PC_EXIT_ERROR;
    }
  if (nargs == 1)
    {
      if (f.name)
        {
          pod_flags_clear (&f);
          return pc_cli_errorf (PC_EXIT_ERROR, "cannot specify --name and give a name as an argument");
        }
      f.o.name = args[0];
    }
  /* --replace removes files owned by subordinate ids. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (f.replace ? PC_ENGINE_USERNS : 0);
  if (e == NULL)
    {
      pod_flags_clear (&f);
      return PC_EXIT_ERROR;
    }
  pc_autopod struct pc_pod *p = NULL;
  r = create_pod (e, &f, cl, &p);
  if (r == 0)
    puts (p->id);
  pod_flags_clear (&f);
  return r;
}

int
pc_cli_pod_new (struct pc_engine *e, const char *name, char **publish, char **id)
{
  struct pc_pod_opts o = { .name = name, .publish = publish };
  pc_error *err = NULL;
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_create (e, &o, &p, &err) < 0)
    return pc_cli_fail (err);
  *id = xstrdup (p->id);
  return 0;
}

/* "HostIp:HostPort:port/proto" for each of the record's PortBindings. */
static void
ports_of (json_object *pb, char ***out)
{
  json_object_object_foreach (pb, key, arr)
    for (size_t i = 0; i < pc_json_array_len (arr); i++)
      {
        json_object *b = pc_json_array_object_at (arr, i);
        const char *ip = pc_json_get_string (b, "HostIp");
        const char *hp = pc_json_get_string (b, "HostPort");
        pc_autofree char *s = ip && *ip ? xasprintf ("%s:%s:%s", ip, hp ? hp : "", key)
                                        : xasprintf ("%s:%s", hp ? hp : "", key);
        pc_strv_append (out, s);
      }
}

static void
strv_from (json_object *a, char ***out)
{
  if (*out)
    return;   /* given on the command line */
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    if (pc_json_array_string_at (a, i))
      pc_strv_append (out, pc_json_array_string_at (a, i));
}

/* podman's pod clone: a new pod with the old one's configuration, each
   flag given replacing its part. The containers are not cloned. */
static int
cmd_clone (const struct pc_command *cmd, int argc, char **argv)
{
  struct pod_flags f = { 0 };
  bool destroy = false, start = false;
  const struct pc_opt extra[] = {
    { "destroy", 0, PC_OPT_BOOL, &destroy, NULL, "destroy the original pod" },
    { "start", 0, PC_OPT_BOOL, &start, NULL, "start the new pod" },
    { NULL },
  };
  char **args;
  int nargs;
  pc_autofree char *cl = command_line (argc, argv, "clone");
  int r = parse_pod_flags (cmd, argc, argv, &f, extra, 1, 2, &args, &nargs);
  if (r != 0)
    {
      pod_flags_clear (&f);
      return r > 0 ? 0 : PC_EXIT_ERROR;
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (destroy ? PC_ENGINE_USERNS : 0);
  if (e == NULL)
    {
      pod_flags_clear (&f);
      return PC_EXIT_ERROR;
    }
  pc_error *err = NULL;
  pc_autopod struct pc_pod *old = NULL;
  if (pc_engine_pod_lookup (e, args[0], &old, &err) < 0)
    {
      pod_flags_clear (&f);
      return pc_cli_fail (err);
    }
  json_object *rec = old->rec;
  pc_autofree char *clone_name = xasprintf ("%s-clone", old->name);
  if (nargs == 2)
    f.o.name = args[1];
  else if (f.o.name == NULL)
    f.o.name = clone_name;
  if (f.o.hostname == NULL && pc_json_get_string (rec, "Hostname") && *pc_json_get_string (rec, "Hostname"))
    f.o.hostname = pc_json_get_string (rec, "Hostname");
  if (f.o.exit_policy == NULL)
    f.o.exit_policy = pc_json_get_string (rec, "ExitPolicy");
  if (f.o.labels == NULL)
    {
      json_object *l = pc_json_get_object (rec, "Labels");
      if (l)
        {
          json_object_object_foreach (l, k, v)
            {
              pc_autofree char *kv = xasprintf ("%s=%s", k, json_object_get_string (v));
              pc_strv_append (&f.o.labels, kv);
            }
        }
    }
  pc_autofree char *shm = NULL;
  if (f.o.shm_size == NULL && pc_json_get_int (rec, "ShmSize", 0) > 0)
    {
      shm = xasprintf ("%lldb", (long long) pc_json_get_int (rec, "ShmSize", 0));
      f.o.shm_size = shm;
    }
  pc_autofree char *share = NULL;
  if (f.o.share == NULL)
    {
      pc_autostrv char **sh = NULL;
      strv_from (pc_json_get_array (rec, "SharedNamespaces"), &sh);
      share = sh ? pc_strv_join (sh, ",") : xstrdup ("none");
      f.o.share = share;
    }
  pc_autofree char *infra_cmd = NULL;
  if (old->infra_id == NULL)
    f.o.no_infra = true;
  else if (f.infra)
    {
      pc_autocontainer struct pc_container *infra = NULL;
      json_object *ic = pc_json_get (rec, "InfraConfig");
      if (f.o.publish == NULL)
        ports_of (pc_json_get_object (ic, "PortBindings"), &f.o.publish);
      strv_from (pc_json_get_array (ic, "DNSServer"), &f.o.dns);
      strv_from (pc_json_get_array (ic, "DNSSearch"), &f.o.dns_search);
      strv_from (pc_json_get_array (ic, "DNSOption"), &f.o.dns_option);
      strv_from (pc_json_get_array (ic, "HostAdd"), &f.o.add_host);
      strv_from (pc_json_get_array (rec, "Volumes"), &f.o.volumes);
      if (f.o.userns == NULL && pc_json_get_string (rec, "Userns") && *pc_json_get_string (rec, "Userns"))
        f.o.userns = pc_json_get_string (rec, "Userns");
      pc_autoerror pc_error *ierr = NULL;
      if (pc_engine_lookup (e, old->infra_id, &infra, &ierr) == 0)
        {
          json_object *hc = pc_json_get (infra->rec, "HostConfig");
          if (f.o.network == NULL)
            f.o.network = pc_json_get_string (hc, "NetworkMode");
          const char *img = pc_json_get_string (infra->rec, "ImageName");
          if (f.o.infra_image == NULL && img && *img)
            f.o.infra_image = f.infra_image = xstrdup (img);
          if (f.o.infra_command == NULL && pc_json_get_string (infra->rec, "Path")
              && strcmp (pc_json_get_string (infra->rec, "Path"), "/catatonit") != 0)
            {
              pc_autostrv char **w = NULL;
              pc_strv_append (&w, pc_json_get_string (infra->rec, "Path"));
              strv_from (pc_json_get_array (infra->rec, "Args"), &w);
              infra_cmd = pc_strv_join (w, " ");
              f.o.infra_command = infra_cmd;
            }
        }
      f.o.network = f.o.network ? xstrdup (f.o.network) : NULL;
      free (f.network);
      f.network = (char *) f.o.network;
    }
  pc_autopod struct pc_pod *p = NULL;
  if (destroy && pc_engine_pod_remove (e, old, true, -1, &err) < 0)
    {
      pod_flags_clear (&f);
      return pc_cli_fail (err);
    }
  r = create_pod (e, &f, cl, &p);
  pod_flags_clear (&f);
  if (r != 0)
    return r;
  if (start && pc_engine_pod_start (e, p, &err) < 0)
    return pc_cli_fail (err);
  puts (p->id);
  return 0;
}

const struct pc_command pc_pod_commands[] = {
  { .name = "clone", .summary = "Clone an existing pod",
    .usage = "pod clone [options] POD NAME", .run = cmd_clone },
  { .name = "create", .summary = "Create a new empty pod",
    .usage = "pod create [options] [NAME]", .run = cmd_create },
  { .name = "exists", .summary = "Check if a pod exists in local storage",
    .usage = "pod exists POD", .run = pc_cmd_pod_exists },
  { .name = "inspect", .summary = "Displays a pod configuration",
    .usage = "pod inspect [options] POD [POD...]", .run = pc_cmd_pod_inspect },
  { .name = "kill", .summary = "Send the specified signal or SIGKILL to containers in pod",
    .usage = "pod kill [options] POD [POD...]", .run = pc_cmd_pod_kill },
  { .name = "logs", .summary = "Fetch logs for pod with one or more containers",
    .usage = "pod logs [options] POD", .run = pc_cmd_pod_logs },
  { .name = "pause", .summary = "Pause one or more pods",
    .usage = "pod pause [options] POD [POD...]", .run = pc_cmd_pod_pause },
  { .name = "prune", .summary = "Remove all stopped pods and their containers",
    .usage = "pod prune [options]", .run = pc_cmd_pod_prune },
  { .name = "ps", .alias = "ls", .summary = "List pods",
    .usage = "pod ps [options]", .run = pc_cmd_pod_ps },
  { .name = "restart", .summary = "Restart one or more pods",
    .usage = "pod restart [options] POD [POD...]", .run = pc_cmd_pod_restart },
  { .name = "rm", .summary = "Remove one or more pods",
    .usage = "pod rm [options] POD [POD...]", .run = pc_cmd_pod_rm },
  { .name = "start", .summary = "Start one or more pods",
    .usage = "pod start [options] POD [POD...]", .run = pc_cmd_pod_start },
  { .name = "stop", .summary = "Stop one or more pods",
    .usage = "pod stop [options] POD [POD...]", .run = pc_cmd_pod_stop },
  { .name = "top", .summary = "Display the running processes of containers in a pod",
    .usage = "pod top POD [FORMAT-DESCRIPTORS]", .run = pc_cmd_pod_top,
    .flags = PC_CMD_STOP_AT_POSITIONAL },
  { .name = "unpause", .summary = "Unpause one or more pods",
    .usage = "pod unpause [options] POD [POD...]", .run = pc_cmd_pod_unpause },
  { .name = NULL },
};
