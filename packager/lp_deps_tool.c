/*
 * lp_deps_tool: finds pip (python3 -m pip) and npm, learns their versions and
 * runs them, for the installers of lp_deps.
 *
 * The tools run with an environment we choose (tool_env): PATH, HOME, TMPDIR,
 * locale C.UTF-8, proxies and CA settings are passed on; PIP_* and npm_config_*
 * variables are not, pip reads no configuration file (PIP_CONFIG_FILE=/dev/null)
 * and writes no bytecode. npm still reads ~/.npmrc (registry credentials);
 * the lock file's integrity hashes pin what it downloads. A version is
 * remembered under <cache>/tools/ for a day, keyed by the executable's
 * identity, so that a warm lookup runs nothing.
 *
 * Owns nothing past a call. Must not know Terraform or the cache's layout
 * beyond tools/.
 */
#include "lp_deps_int.h"
#include "lp_compat.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lp_fs.h"
#include "lp_proc.h"

#define VERSION_TIMEOUT 60

/* ---- tools ---- */

lp_deps_tool lp_deps_tool_for(const char *file)
{
    if (file == NULL) {
        return 0;
    }
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    if (strcmp(base, "package-lock.json") == 0 || strcmp(base, "npm-shrinkwrap.json") == 0) {
        return LP_DEPS_NPM;
    }
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".txt") == 0) {
        return LP_DEPS_PIP;
    }
    return 0;
}

const char *lp_deps_tool_name(lp_deps_tool t)
{
    return t == LP_DEPS_NPM ? "npm" : "pip";
}

/* The environment the tools run with (see the file comment). */
typedef struct tool_env {
    char *vars[40];
    size_t n;
    int nomem; /* a variable could not be added: the tool must not run */
} tool_env;

static void env_add(tool_env *e, const char *name, const char *value)
{
    if (value == NULL || e->n + 1 >= sizeof(e->vars) / sizeof(e->vars[0])) {
        return;
    }
    size_t len = strlen(name) + strlen(value) + 2;
    char *s = malloc(len);
    if (s == NULL) {
        e->nomem = 1;
        return;
    }
    snprintf(s, len, "%s=%s", name, value);
    e->vars[e->n++] = s;
    e->vars[e->n] = NULL;
}

static void env_init(tool_env *e, lp_deps_tool tool)
{
    static const char *const passed[] = {
        "PATH",
        "HOME",
        "TMPDIR",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        "PYENV_ROOT",
        "PYENV_VERSION",
        "VIRTUAL_ENV",
    };
    memset(e, 0, sizeof(*e));
    for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
        env_add(e, passed[i], getenv(passed[i]));
    }
    env_add(e, "LC_ALL", "C.UTF-8");
    env_add(e, "LANG", "C.UTF-8");
    if (tool == LP_DEPS_PIP) {
        env_add(e, "PYTHONDONTWRITEBYTECODE", "1");
        env_add(e, "PYTHONNOUSERSITE", "1");
        env_add(e, "PIP_CONFIG_FILE", "/dev/null");
        env_add(e, "PIP_DISABLE_PIP_VERSION_CHECK", "1");
        env_add(e, "PIP_NO_INPUT", "1");
    } else {
        env_add(e, "npm_config_update_notifier", "false");
        env_add(e, "npm_config_fund", "false");
        env_add(e, "npm_config_audit", "false");
    }
}

static void env_free(tool_env *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->vars[i]);
    }
    e->n = 0;
}

static int tool_missing(const lp_deps_request *req, lp_deps_tool tool, const char *detail,
                        lp_error *err)
{
    if (tool == LP_DEPS_NPM) {
        return lp_deps_err(err, LP_ENOENT, 0, req, "file", req->file,
                           "'%s' needs npm, which %s: install Node.js with npm (Debian: apt-get "
                           "install nodejs npm)",
                           req->file, detail);
    }
    return lp_deps_err(err, LP_ENOENT, 0, req, "file", req->file,
                       "'%s' needs pip, which %s: install Python 3 with pip (Debian: apt-get "
                       "install python3 python3-pip)",
                       req->file, detail);
}

/* Where the version of an executable is remembered: the key covers its path
 * and identity (device, inode, size, mtime) and the pyenv selection. */
static int version_memo_path(char *out, size_t len, const char *cache_dir, const char *exe)
{
    struct stat st;
    char real[PATH_MAX], id[PATH_MAX + 256], hex[65];
    if (realpath(exe, real) == NULL || stat(real, &st) != 0) {
        return -1;
    }
    const char *pyenv = getenv("PYENV_VERSION");
    int n = snprintf(id, sizeof(id), "%s\n%ju %ju %jd %jd.%09ld\n%s\n", real, (uintmax_t)st.st_dev,
                     (uintmax_t)st.st_ino, (intmax_t)st.st_size, (intmax_t)LP_ST_MTIM(&st).tv_sec,
                     LP_ST_MTIM(&st).tv_nsec, pyenv != NULL ? pyenv : "");
    if (n < 0 || (size_t)n >= sizeof(id)) {
        return -1;
    }
    lp_deps_sha256_hex(id, (size_t)n, hex);
    n = snprintf(out, len, "%s/tools/%s", cache_dir, hex);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int memo_read(const char *path, char *out, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0 || time(NULL) - st.st_mtime > LP_DEPS_ENTRY_MAX_AGE) {
        return -1;
    }
    char *buf = NULL;
    size_t n = 0;
    if (lp_deps_read_file(path, len - 1, &buf, &n) < 0) {
        return -1;
    }
    int ok = n > 0 && buf[n - 1] == '\n';
    if (ok) {
        snprintf(out, len, "%.*s", (int)(n - 1), buf);
    }
    free(buf);
    return ok ? 0 : -1;
}

static void memo_write(const char *path, const char *version)
{
    char tmp[PATH_MAX + 32];
    if (lp_fs_mkdirs(path, 0, NULL) < 0 ||
        snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp)) {
        return;
    }
    FILE *f = fopen(tmp, "we");
    if (f == NULL) {
        return;
    }
    int ok = fprintf(f, "%s\n", version) > 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
    }
}

/* Keeps the first line of a version output; for pip drops " from <path>". */
static void version_line(char *out, size_t len, const char *text, lp_deps_tool tool)
{
    size_t n = strcspn(text, "\r\n");
    const char *from = tool == LP_DEPS_PIP ? strstr(text, " from ") : NULL;
    const char *py = tool == LP_DEPS_PIP ? strstr(text, "(python ") : NULL;
    if (from != NULL && (size_t)(from - text) < n && py != NULL) {
        size_t pn = strcspn(py, ")\r\n");
        snprintf(out, len, "%.*s %.*s)", (int)(from - text), text, (int)pn, py);
    } else {
        snprintf(out, len, "%.*s", (int)n, text);
    }
}

int lp_deps_tool_find(lp_deps_tool_info *t, const lp_deps_request *req, lp_deps_tool tool,
                      lp_error *err)
{
    const char *name = tool == LP_DEPS_NPM ? "npm" : "python3";
    memset(t, 0, sizeof(*t));
    if (lp_proc_which(name, t->exe, sizeof(t->exe)) < 0) {
        return tool_missing(
            req, tool, tool == LP_DEPS_NPM ? "is not on PATH" : "needs python3, not on PATH", err);
    }
    char memo[PATH_MAX];
    int have_memo = version_memo_path(memo, sizeof(memo), req->cache_dir, t->exe) == 0;
    if (have_memo && memo_read(memo, t->version, sizeof(t->version)) == 0) {
        return 0;
    }
    char *pip_argv[] = {t->exe, "-m", "pip", "--version", NULL};
    char *npm_argv[] = {t->exe, "--version", NULL};
    tool_env env;
    env_init(&env, tool);
    lp_proc_result *res = env.nomem ? NULL : malloc(sizeof(*res));
    int rc = res == NULL ? LP_ENOMEM
                         : lp_proc_run(res, tool == LP_DEPS_NPM ? npm_argv : pip_argv, env.vars,
                                       NULL, VERSION_TIMEOUT, NULL, NULL, err);
    env_free(&env);
    if (rc == 0 && (res->exit_code != 0 || res->out_tail[0] == '\0')) {
        char detail[PATH_MAX + 600];
        snprintf(detail, sizeof(detail), "does not run ('%s%s --version' said: %s)", t->exe,
                 tool == LP_DEPS_PIP ? " -m pip" : "", lp_proc_last_lines(res->err_tail, 2));
        rc = tool_missing(req, tool, detail, err);
    } else if (rc == 0) {
        version_line(t->version, sizeof(t->version), res->out_tail, tool);
        if (have_memo) {
            memo_write(memo, t->version);
        }
    } else if (rc == LP_ENOMEM) {
        lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    } else {
        err->source_index = req->index;
        err->field = "file";
    }
    free(res);
    return rc;
}

int lp_deps_tool_arch(const char *architecture, const char **pip_arch, const char **npm_cpu)
{
    if (architecture == NULL || strcmp(architecture, "x86_64") == 0) {
        *pip_arch = "x86_64";
        *npm_cpu = "x64";
        return 0;
    }
    if (strcmp(architecture, "arm64") == 0) {
        *pip_arch = "aarch64";
        *npm_cpu = "arm64";
        return 0;
    }
    return -1;
}

/* Runs the tool; a failure becomes an error holding its stderr's last lines. */
int lp_deps_tool_run(const lp_deps_request *req, lp_deps_tool tool, char **argv, const char *cwd,
                     double *seconds, lp_error *err)
{
    tool_env env;
    env_init(&env, tool);
    lp_proc_result *res = env.nomem ? NULL : malloc(sizeof(*res));
    int timeout = req->timeout_seconds > 0 ? req->timeout_seconds : LP_DEPS_DEFAULT_TIMEOUT;
    int rc = res == NULL ? LP_ENOMEM
                         : lp_proc_run(res, argv, env.vars, cwd, timeout, req->stop,
                                       req->stop_payload, err);
    env_free(&env);
    if (rc == LP_ENOMEM) {
        rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    } else if (rc < 0) {
        err->source_index = req->index;
        err->field = "file";
    } else if (res->cancelled) {
        rc = lp_deps_err(err, LP_ECANCELED, 0, req, "file", req->file,
                         "%s install of '%s' cancelled: the tool was stopped and nothing was "
                         "added to the cache",
                         lp_deps_tool_name(tool), req->file);
    } else if (res->timed_out) {
        rc = lp_deps_err(err, LP_EIO, ETIMEDOUT, req, "file", req->file,
                         "%s install of '%s' did not finish within %d seconds and was stopped; "
                         "last output: %s",
                         lp_deps_tool_name(tool), req->file, timeout,
                         lp_proc_last_lines(res->err_tail, 8));
    } else if (res->exit_code != 0) {
        const char *tail = res->err_tail[0] != '\0' ? res->err_tail : res->out_tail;
        rc = lp_deps_err(err, LP_EIO, 0, req, "file", req->file,
                         "%s install of '%s' failed (exit %d%s%s):\n%s", lp_deps_tool_name(tool),
                         req->file, res->exit_code, res->signal ? ", signal " : "",
                         res->signal ? strsignal(res->signal) : "", lp_proc_last_lines(tail, 12));
    } else {
        *seconds = res->seconds;
    }
    free(res);
    return rc;
}

void lp_deps_tool_arg(lp_deps_argv *a, const char *s)
{
    if (a->n + 1 < sizeof(a->v) / sizeof(a->v[0])) {
        a->v[a->n++] = (char *)(uintptr_t)s;
        a->v[a->n] = NULL;
    }
}

/* Removes symlinks, and for pip __pycache__/ and *.pyc, for npm .bin/. */
int lp_deps_tool_strip(const char *dir, lp_deps_tool tool)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return -errno;
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (lp_deps_join(path, sizeof(path), dir, de->d_name) < 0) {
            rc = rc == 0 ? -ENAMETOOLONG : rc;
            continue;
        }
        if (lstat(path, &st) != 0) {
            if (errno != ENOENT && rc == 0) {
                rc = -errno;
            }
            continue;
        }
        int e = 0;
        int dir_drop = S_ISDIR(st.st_mode) &&
                       strcmp(de->d_name, tool == LP_DEPS_PIP ? "__pycache__" : ".bin") == 0;
        int file_drop = S_ISLNK(st.st_mode) || (tool == LP_DEPS_PIP && S_ISREG(st.st_mode) &&
                                                lp_deps_ends_with(de->d_name, ".pyc"));
        if (dir_drop || file_drop) {
            e = lp_deps_remove_tree(path);
        } else if (S_ISDIR(st.st_mode)) {
            e = lp_deps_tool_strip(path, tool);
        }
        if (e < 0 && rc == 0) {
            rc = e;
        }
    }
    closedir(d);
    return rc;
}
