/* pc kube play|down|generate (and podman's older spellings `pc play kube`,
   `pc generate kube`): Kubernetes YAML in and out (docs/kube.md). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/container.h"
#include "cmd/pc/kube.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static void
print_warnings (char **w)
{
  for (char **s = w; s && *s; s++)
    pc_warn ("%s", *s);
}

static void
print_list (const char *title, char **v)
{
  if (v == NULL || v[0] == NULL)
    return;
  printf ("%s\n", title);
  for (char **s = v; *s; s++)
    printf ("%s\n", *s);
}

static int
kube_down (const char *path, bool force)
{
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_kube_down_report r = { 0 };
  pc_error *err = NULL;
  int ret = pc_engine_kube_down (e, path, force, &r, &err);
  print_warnings (r.warnings);
  print_list ("Pods stopped:", r.stopped);
  print_list ("Pods removed:", r.removed);
  print_list ("Volumes removed:", r.volumes);
  pc_kube_down_report_clear (&r);
  return ret < 0 ? pc_cli_fail (err) : 0;
}

static int
cmd_play (const struct pc_command *cmd, int argc, char **argv)
{
  bool down = false, replace = false, start = true, force = false;
  pc_autostrv char **configmaps = NULL;
  const struct pc_opt opts[] = {
    { "configmap", 0, PC_OPT_STRV, &configmaps, "strings", "Pathname of a YAML file containing a kubernetes configmap" },
    { "down", 0, PC_OPT_BOOL, &down, NULL, "Stop pods defined in the YAML file" },
    { "force", 0, PC_OPT_BOOL, &force, NULL, "With --down: remove the PersistentVolumeClaims' volumes too" },
    { "replace", 0, PC_OPT_BOOL, &replace, NULL, "Delete and recreate pods defined in the YAML file" },
    { "start", 0, PC_OPT_BOOL, &start, NULL, "Start the pod after creating it (default true)" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (down)
    {
      if (replace || configmaps || !start)
        return pc_cli_errorf (PC_EXIT_ERROR, "--down cannot be used with --replace, --configmap or --start");
      return kube_down (args[0], force);
    }
  if (force)
    return pc_cli_errorf (PC_EXIT_ERROR, "--force is only for --down");
  /* Each pod's members are made from inside its user namespace, which
     the play joins per pod: the command itself enters none. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_kube_play_opts o = { .configmaps = configmaps, .no_start = !start, .replace = replace };
  struct pc_kube_play_report r = { 0 };
  pc_error *err = NULL;
  int ret = pc_engine_kube_play (e, args[0], &o, &r, &err);
  print_warnings (r.warnings);
  print_list ("Volumes:", r.volumes);
  for (size_t i = 0; i < r.npods; i++)
    {
      struct pc_kube_play_pod *p = &r.pods[i];
      printf ("Pod:\n%s\n", p->id);
      size_t n = pc_strv_len (p->containers), ni = pc_strv_len (p->init_containers);
      if (n)
        print_list (n == 1 ? "Container:" : "Containers:", p->containers);
      if (ni)
        print_list (ni == 1 ? "Init Container:" : "Init Containers:", p->init_containers);
      printf ("\n");
    }
  fflush (stdout);
  pc_kube_play_report_clear (&r);
  return ret < 0 ? pc_cli_fail (err) : 0;
}

static int
cmd_down (const struct pc_command *cmd, int argc, char **argv)
{
  bool force = false;
  const struct pc_opt opts[] = {
    { "force", 0, PC_OPT_BOOL, &force, NULL, "Remove the PersistentVolumeClaims' volumes too" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  return kube_down (args[0], force);
}

static int
cmd_generate (const struct pc_command *cmd, int argc, char **argv)
{
  bool service = false;
  pc_autofree char *file = NULL, *type = NULL;
  long replicas = 1;
  const struct pc_opt opts[] = {
    { "filename", 'f', PC_OPT_STRING, &file, "string", "Write output to the specified path" },
    { "replicas", 'r', PC_OPT_UINT, &replicas, "int32", "Set the replicas number for Deployment kind (default 1)" },
    { "service", 's', PC_OPT_BOOL, &service, NULL, "Generate YAML for a Kubernetes service object" },
    { "type", 't', PC_OPT_STRING, &type, "string", "Generate YAML for the given Kubernetes kind (pod, deployment) (default \"pod\")" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (type && strcasecmp (type, "pod") != 0 && strcasecmp (type, "deployment") != 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid type given, only supported types are pod and deployment");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_kube_generate_opts o = {
    .service = service,
    .deployment = type && strcasecmp (type, "deployment") == 0,
    .replicas = replicas,
  };
  pc_error *err = NULL;
  pc_autofree char *yaml = NULL;
  if (pc_engine_kube_generate (e, args, &o, &yaml, &err) < 0)
    return pc_cli_fail (err);
  if (file == NULL)
    {
      fputs (yaml, stdout);
      return 0;
    }
  /* podman refuses to write over an existing file. */
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (pc_output_open (file, PC_OUTPUT_EXCL, &out, &err) < 0
      || pc_write_all (out.fd, yaml, strlen (yaml), &err) < 0 || pc_output_commit (&out, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

const struct pc_command pc_kube_commands[] = {
  { .name = "down", .summary = "Remove pods based on Kubernetes YAML",
    .usage = "kube down [options] KUBEFILE|-", .run = cmd_down },
  { .name = "generate", .summary = "Generate Kubernetes YAML from containers or pods",
    .usage = "kube generate [options] {CONTAINER...|POD}", .run = cmd_generate },
  { .name = "play", .summary = "Play a pod or volume based on Kubernetes YAML",
    .usage = "kube play [options] KUBEFILE|-", .run = cmd_play },
  { .name = NULL },
};

const struct pc_command pc_play_commands[] = {
  { .name = "kube", .summary = "Play a pod or volume based on Kubernetes YAML",
    .usage = "play kube [options] KUBEFILE|-", .run = cmd_play },
  { .name = NULL },
};

const struct pc_command pc_generate_commands[] = {
  { .name = "kube", .summary = "Generate Kubernetes YAML from containers or pods",
    .usage = "generate kube [options] {CONTAINER...|POD}", .run = cmd_generate },
  { .name = NULL },
};
