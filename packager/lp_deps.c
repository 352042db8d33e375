/*
 * lp_deps: installs a lock file's dependencies into a verified cache entry
 * (see include/lp_deps.h for the contract, docs/guides/dependencies.md for
 * the user's view).
 *
 * Order of one lp_deps_install: read the lock file, learn the tool's version
 * (remembered per executable in <cache>/tools/ for a day, so a warm lookup
 * runs nothing), compute the key, and look the key up. A hit must carry a MAC
 * (HMAC-SHA256 under lp_cache's secret, which lives outside every cache
 * directory) binding its key to its MANIFEST, and its tree is re-hashed
 * against that MANIFEST: a damaged entry, or one planted or copied from
 * another key by someone who can write the cache, is discarded and installed
 * again. A miss installs into <cache>/.tmp-*, strips what is not
 * reproducible, writes MANIFEST and MAC and renames the directory to <key>.
 *
 * The tools run with an environment we choose (tool_env): PATH, HOME, TMPDIR,
 * locale C.UTF-8, proxies and CA settings are passed on; PIP_* and npm_config_*
 * variables are not, pip reads no configuration file (PIP_CONFIG_FILE=/dev/null)
 * and writes no bytecode. npm still reads ~/.npmrc (registry credentials);
 * the lock file's integrity hashes pin what it downloads.
 *
 * This module must not know Terraform; it never touches files outside the
 * cache directory except to read the lock file and package.json.
 */
#include "lp_deps.h"
#include "lp_compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lp_cache_int.h"
#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_proc.h"
#include "lp_runtime.h"

#define LOCK_MAX (64u * 1024 * 1024)
#define ENTRY_MAX_AGE (24 * 60 * 60)
#define TEMP_MAX_AGE (60 * 60)
#define VERSION_TIMEOUT 60
#define MANIFEST_MAGIC "lambdapack-deps-manifest 1\n"

/* ---- small helpers ---- */

static int set_err(lp_error *err, int code, int sys_errno, const lp_deps_request *req,
                   const char *field, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int set_err(lp_error *err, int code, int sys_errno, const lp_deps_request *req,
                   const char *field, const char *path, const char *fmt, ...)
{
    char msg[LP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return lp_error_set(err, code, sys_errno, req != NULL ? req->index : -1, field, path, "%s",
                        msg);
}

static int read_file(const char *path, size_t max, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL) {
        return -errno;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    int rc = 0;
    while (b != NULL) {
        if (n == cap) {
            cap *= 2;
            char *nb = cap <= max ? realloc(b, cap + 1) : NULL;
            if (nb == NULL) {
                rc = cap > max ? -EFBIG : -ENOMEM;
                break;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            rc = ferror(f) ? -EIO : 0;
            break;
        }
    }
    fclose(f);
    if (b == NULL || rc < 0) {
        free(b);
        return b == NULL ? -ENOMEM : rc;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char d[32];
    lp_hash_sha256(data, n, d);
    lp_hash_hex(d, out);
}

static int hash_file(const char *path, char out[65], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[LP_HASH_BUF], d[32];
    unsigned int dl = 0;
    int rc = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
    *size = 0;
    while (rc == 0) {
        ssize_t got = read(fd, buf, sizeof(buf));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        *size += (uint64_t)got;
        if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1) {
            rc = -1;
        }
    }
    if (rc == 0 && EVP_DigestFinal_ex(ctx, d, &dl) == 1) {
        lp_hash_hex(d, out);
    } else {
        rc = -1;
    }
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

static int join(char *out, size_t len, const char *a, const char *b)
{
    int n = snprintf(out, len, "%s/%s", a, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* rm -rf of a directory we created (never follows symlinks). Best effort. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        char child[PATH_MAX];
        while (d != NULL && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            if (join(child, sizeof(child), path, de->d_name) == 0) {
                remove_tree(child);
            }
        }
        if (d != NULL) {
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

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

static const char *tool_name(lp_deps_tool t)
{
    return t == LP_DEPS_NPM ? "npm" : "pip";
}

/* The environment the tools run with (see the file comment). */
typedef struct tool_env {
    char *vars[40];
    size_t n;
} tool_env;

static void env_add(tool_env *e, const char *name, const char *value)
{
    if (value == NULL || e->n + 1 >= sizeof(e->vars) / sizeof(e->vars[0])) {
        return;
    }
    size_t len = strlen(name) + strlen(value) + 2;
    char *s = malloc(len);
    if (s != NULL) {
        snprintf(s, len, "%s=%s", name, value);
        e->vars[e->n++] = s;
        e->vars[e->n] = NULL;
    }
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

/* The executable and the version line of the tool. */
typedef struct tool_info {
    char exe[PATH_MAX];
    char version[256];
} tool_info;

static int tool_missing(const lp_deps_request *req, lp_deps_tool tool, const char *detail,
                        lp_error *err)
{
    if (tool == LP_DEPS_NPM) {
        return set_err(err, LP_ENOENT, 0, req, "file", req->file,
                       "'%s' needs npm, which %s: install Node.js with npm (Debian: apt-get "
                       "install nodejs npm)",
                       req->file, detail);
    }
    return set_err(err, LP_ENOENT, 0, req, "file", req->file,
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
    sha256_hex(id, (size_t)n, hex);
    n = snprintf(out, len, "%s/tools/%s", cache_dir, hex);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int memo_read(const char *path, char *out, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0 || time(NULL) - st.st_mtime > ENTRY_MAX_AGE) {
        return -1;
    }
    char *buf = NULL;
    size_t n = 0;
    if (read_file(path, len - 1, &buf, &n) < 0) {
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

static int tool_find(tool_info *t, const lp_deps_request *req, lp_deps_tool tool, lp_error *err)
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
    lp_proc_result *res = malloc(sizeof(*res));
    int rc = res == NULL ? LP_ENOMEM
                         : lp_proc_run(res, tool == LP_DEPS_NPM ? npm_argv : pip_argv, env.vars,
                                       NULL, VERSION_TIMEOUT, err);
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
        set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    } else {
        err->source_index = req->index;
        err->field = "file";
    }
    free(res);
    return rc;
}

/* ---- requirements files ---- */

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '[' || c == ']' || c == ',';
}

/* One logical line (continuations joined, comment removed). */
static void check_requirement(const char *line, size_t n, int *unpinned, int *hashes, char *first,
                              size_t first_len)
{
    while (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
        line++;
        n--;
    }
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) {
        n--;
    }
    if (n == 0) {
        return;
    }
    if (memmem(line, n, "--hash", 6) != NULL) {
        *hashes = 1;
    }
    int editable = n > 2 && (strncmp(line, "-e", 2) == 0 || strncmp(line, "--editable", 10) == 0);
    if (line[0] == '-' && !editable) {
        return; /* an option line: -r, -c, --index-url, --hash continuation, ... */
    }
    size_t spec_end = n;
    const char *semi = memchr(line, ';', n);
    if (semi != NULL) {
        spec_end = (size_t)(semi - line);
    }
    const char *opt = memmem(line, spec_end, " -", 2);
    if (opt != NULL) {
        spec_end = (size_t)(opt - line);
    }
    const char *eq = memmem(line, spec_end, "==", 2);
    size_t name_len = 0;
    while (name_len < spec_end && is_name_char(line[name_len])) {
        name_len++;
    }
    int pinned = !editable && eq != NULL && name_len > 0 &&
                 memchr(eq, '*', spec_end - (size_t)(eq - line)) == NULL &&
                 memchr(line, '>', spec_end) == NULL && memchr(line, '<', spec_end) == NULL;
    if (!pinned) {
        if (*unpinned == 0 && first != NULL && first_len > 0) {
            snprintf(first, first_len, "%.*s", (int)(spec_end < 120 ? spec_end : 120), line);
        }
        (*unpinned)++;
    }
}

int lp_deps_pip_unpinned(const char *text, size_t len, int *hashes, char *first, size_t first_len)
{
    int unpinned = 0, h = 0;
    char *joined = malloc(len + 1);
    size_t jn = 0, i = 0;
    if (first != NULL && first_len > 0) {
        first[0] = '\0';
    }
    if (joined == NULL) {
        return 0;
    }
    while (i <= len) {
        const char *nl = i < len ? memchr(text + i, '\n', len - i) : NULL;
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t ln = end - i;
        const char *l = text + i;
        /* a comment starts at '#' at line start or after whitespace */
        for (size_t k = 0; k < ln; k++) {
            if (l[k] == '#' && (k == 0 || l[k - 1] == ' ' || l[k - 1] == '\t')) {
                ln = k;
                break;
            }
        }
        while (ln > 0 && (l[ln - 1] == '\r' || l[ln - 1] == ' ' || l[ln - 1] == '\t')) {
            ln--;
        }
        int cont = ln > 0 && l[ln - 1] == '\\';
        memcpy(joined + jn, l, cont ? ln - 1 : ln);
        jn += cont ? ln - 1 : ln;
        if (!cont) {
            check_requirement(joined, jn, &unpinned, &h, first, first_len);
            jn = 0;
        } else {
            joined[jn++] = ' ';
        }
        if (nl == NULL) {
            break;
        }
        i = end + 1;
    }
    free(joined);
    if (hashes != NULL) {
        *hashes = h;
    }
    return unpinned;
}

/* ---- platforms ---- */

static int arch_of(const char *architecture, const char **pip_arch, const char **npm_cpu)
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

int lp_deps_platform_tags(const char *runtime, const char *architecture,
                          char tags[][LP_DEPS_TAG_MAX], size_t max, size_t *n)
{
    const lp_runtime_info *rt = lp_runtime_lookup(runtime);
    const char *arch, *cpu;
    *n = 0;
    if (rt == NULL || rt->family != LP_RUNTIME_PYTHON || arch_of(architecture, &arch, &cpu) < 0) {
        return LP_EINVAL;
    }
    int glibc = rt->python_minor >= 12 ? 34 : 26;
    int oldest = strcmp(arch, "x86_64") == 0 ? 5 : 17;
    for (int g = glibc; g >= oldest && *n < max; g--) {
        snprintf(tags[(*n)++], LP_DEPS_TAG_MAX, "manylinux_2_%d_%s", g, arch);
        const char *alias = g == 17 ? "2014" : g == 12 ? "2010" : g == 5 ? "1" : NULL;
        if (alias != NULL && *n < max) {
            snprintf(tags[(*n)++], LP_DEPS_TAG_MAX, "manylinux%s_%s", alias, arch);
        }
    }
    return 0;
}

/* ---- cache directory ---- */

int lp_deps_default_cache_dir(char *out, size_t out_len)
{
    const char *base = getenv("LAMBDAPACK_CACHE_DIR");
    int n;
    if (base != NULL && base[0] != '\0') {
        n = snprintf(out, out_len, "%s/deps", base);
    } else if ((base = getenv("XDG_CACHE_HOME")) != NULL && base[0] == '/') {
        n = snprintf(out, out_len, "%s/lambdapack/deps", base);
    } else if ((base = getenv("HOME")) != NULL && base[0] == '/') {
        n = snprintf(out, out_len, "%s/.cache/lambdapack/deps", base);
    } else {
        n = snprintf(out, out_len, "/tmp/lambdapack-deps-%ld", (long)getuid());
    }
    return n < 0 || (size_t)n >= out_len ? LP_EINVAL : 0;
}

/* ---- tree listing: the MANIFEST of an entry ---- */

typedef struct listing {
    char **lines; /* "<sha256> <mode> <size> <path>\n", sorted by path */
    size_t n, cap;
    int bad; /* a symlink, special file or unreadable file was seen */
} listing;

static int listing_add(listing *l, char *line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **nl = realloc(l->lines, cap * sizeof(*nl));
        if (nl == NULL) {
            free(line);
            return -1;
        }
        l->lines = nl;
        l->cap = cap;
    }
    l->lines[l->n++] = line;
    return 0;
}

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->lines[i]);
    }
    free(l->lines);
    memset(l, 0, sizeof(*l));
}

static int walk_list(listing *l, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        l->bad = 1;
        return 0;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        char path[PATH_MAX], relp[PATH_MAX];
        struct stat st;
        if (join(path, sizeof(path), dir, de->d_name) < 0 ||
            snprintf(relp, sizeof(relp), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >=
                (int)sizeof(relp) ||
            lstat(path, &st) != 0 || strchr(de->d_name, '\n') != NULL) {
            l->bad = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk_list(l, path, relp);
        } else if (S_ISREG(st.st_mode)) {
            char hex[65];
            uint64_t size;
            if (hash_file(path, hex, &size) < 0) {
                l->bad = 1;
                continue;
            }
            size_t len = strlen(relp) + 100;
            char *line = malloc(len);
            if (line == NULL) {
                rc = -1;
                break;
            }
            snprintf(line, len, "%s %s %ju %s\n", hex, (st.st_mode & 0111) ? "0755" : "0644",
                     (uintmax_t)size, relp);
            rc = listing_add(l, line);
        } else {
            l->bad = 1;
        }
    }
    closedir(d);
    return rc;
}

static int line_cmp(const void *a, const void *b)
{
    const char *x = strchr(strchr(strchr(*(char *const *)a, ' ') + 1, ' ') + 1, ' ') + 1;
    const char *y = strchr(strchr(strchr(*(char *const *)b, ' ') + 1, ' ') + 1, ' ') + 1;
    return strcmp(x, y);
}

/* The MANIFEST text of a tree (malloc'd), or NULL with *bad set when the tree
 * holds something other than directories and regular files. */
static char *tree_manifest(const char *tree, int *bad, size_t *n_files)
{
    listing l;
    memset(&l, 0, sizeof(l));
    char *out = NULL;
    if (walk_list(&l, tree, "") == 0 && !l.bad) {
        qsort(l.lines, l.n, sizeof(*l.lines), line_cmp);
        size_t total = strlen(MANIFEST_MAGIC) + 1;
        for (size_t i = 0; i < l.n; i++) {
            total += strlen(l.lines[i]);
        }
        out = malloc(total);
        if (out != NULL) {
            size_t pos = strlen(MANIFEST_MAGIC);
            memcpy(out, MANIFEST_MAGIC, pos);
            for (size_t i = 0; i < l.n; i++) {
                size_t len = strlen(l.lines[i]);
                memcpy(out + pos, l.lines[i], len);
                pos += len;
            }
            out[pos] = '\0';
        }
    }
    *bad = l.bad;
    *n_files = l.n;
    listing_free(&l);
    return out;
}

/* The hex MAC of an entry: HMAC under the cache secret over its key and its
 * MANIFEST text. 0, or -1 when no secret is available (nothing verifies). */
static int entry_mac(const char *key, const char *manifest, size_t n, char out[65])
{
    unsigned char secret[32];
    static const char domain[] = "lambdapack-deps-1 ";
    size_t klen = strlen(key), len = sizeof(domain) - 1 + klen + 1 + n;
    char *msg = lp_cache_secret(secret) == 0 ? malloc(len) : NULL;
    int rc = -1;
    memset(out, 0, 65);
    if (msg != NULL) {
        memcpy(msg, domain, sizeof(domain) - 1);
        memcpy(msg + sizeof(domain) - 1, key, klen);
        msg[sizeof(domain) - 1 + klen] = '\n';
        memcpy(msg + sizeof(domain) + klen, manifest, n);
        rc = lp_hash_hmac_hex(secret, msg, len, out) == 0 ? 0 : -1;
        free(msg);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc;
}

/* Writes <dir>/MAC for key and the MANIFEST text. 0, or -1. */
static int entry_mac_write(const char *dir, const char *key, const char *manifest)
{
    char path[PATH_MAX], mac[65];
    if (join(path, sizeof(path), dir, "MAC") < 0 ||
        entry_mac(key, manifest, strlen(manifest), mac) < 0) {
        return -1;
    }
    FILE *f = fopen(path, "wxe");
    int ok = f != NULL && fputs(mac, f) >= 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    return ok ? 0 : -1;
}

/* 1 when the entry's MAC binds its key (the entry's name) to its MANIFEST and
 * its tree still matches that MANIFEST. */
static int entry_verify(const char *entry, size_t *n_files)
{
    char tree[PATH_MAX], mpath[PATH_MAX], macpath[PATH_MAX], want[65];
    char *recorded = NULL, *mac = NULL;
    size_t rlen = 0, maclen = 0;
    int bad = 0, ok = 0;
    const char *key = strrchr(entry, '/') != NULL ? strrchr(entry, '/') + 1 : entry;
    if (join(tree, sizeof(tree), entry, "tree") < 0 ||
        join(mpath, sizeof(mpath), entry, "MANIFEST") < 0 ||
        join(macpath, sizeof(macpath), entry, "MAC") < 0 ||
        read_file(mpath, LOCK_MAX, &recorded, &rlen) < 0) {
        return 0;
    }
    if (read_file(macpath, 128, &mac, &maclen) == 0 && maclen == 64 &&
        entry_mac(key, recorded, rlen, want) == 0 && CRYPTO_memcmp(mac, want, 64) == 0) {
        char *now = tree_manifest(tree, &bad, n_files);
        ok = now != NULL && !bad && strlen(now) == rlen && memcmp(now, recorded, rlen) == 0;
        free(now);
    }
    free(mac);
    free(recorded);
    return ok;
}

/* Moves an entry aside and deletes it (a rename first, so that no reader
 * ever sees it half-deleted under its key). */
static void entry_discard(const char *dir, const char *entry)
{
    char trash[PATH_MAX];
    static unsigned counter;
    snprintf(trash, sizeof(trash), "%s/.trash-%ld-%u", dir, (long)getpid(), ++counter);
    if (rename(entry, trash) == 0) {
        remove_tree(trash);
    }
}

static int is_key_name(const char *s)
{
    size_t n = strlen(s);
    if (n != 64) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static void drop_entry(void *dir, const char *name)
{
    char path[PATH_MAX];
    if (join(path, sizeof(path), dir, name) == 0) {
        entry_discard(dir, path);
    }
}

/* Removes leftovers, entries unused for a day and all but the newest
 * LP_DEPS_MAX_ENTRIES. Best effort. */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    lp_fs_aged entries[LP_DEPS_MAX_ENTRIES * 4];
    size_t n = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            join(path, sizeof(path), dir, de->d_name) < 0 || lstat(path, &st) != 0) {
            continue;
        }
        int key = is_key_name(de->d_name);
        int leftover =
            strncmp(de->d_name, ".tmp-", 5) == 0 || strncmp(de->d_name, ".trash-", 7) == 0;
        if (leftover && now - st.st_mtime > TEMP_MAX_AGE) {
            remove_tree(path);
        } else if (key && now - st.st_mtime > ENTRY_MAX_AGE) {
            entry_discard(dir, path);
        } else if (key && n < sizeof(entries) / sizeof(entries[0])) {
            snprintf(entries[n].name, sizeof(entries[n].name), "%s", de->d_name);
            entries[n].mtime = st.st_mtime;
            n++;
        }
    }
    closedir(d);
    lp_fs_drop_oldest(entries, n, LP_DEPS_MAX_ENTRIES, drop_entry, (void *)dir);
}

/* ---- stripping ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Removes symlinks, and for pip __pycache__/ and *.pyc, for npm .bin/. */
static void strip_walk(const char *dir, lp_deps_tool tool)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            join(path, sizeof(path), dir, de->d_name) < 0 || lstat(path, &st) != 0) {
            continue;
        }
        int dir_drop = S_ISDIR(st.st_mode) &&
                       strcmp(de->d_name, tool == LP_DEPS_PIP ? "__pycache__" : ".bin") == 0;
        int file_drop = S_ISLNK(st.st_mode) || (tool == LP_DEPS_PIP && S_ISREG(st.st_mode) &&
                                                ends_with(de->d_name, ".pyc"));
        if (dir_drop || file_drop) {
            remove_tree(path);
        } else if (S_ISDIR(st.st_mode)) {
            strip_walk(path, tool);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* The path of a RECORD row (CSV, first field, maybe quoted) into out. */
static int record_path(const char *row, size_t n, char *out, size_t len)
{
    size_t o = 0, i = 0;
    if (n > 0 && row[0] == '"') {
        for (i = 1; i < n; i++) {
            if (row[i] == '"') {
                if (i + 1 < n && row[i + 1] == '"') {
                    i++;
                } else {
                    break;
                }
            }
            if (o + 1 >= len) {
                return -1;
            }
            out[o++] = row[i];
        }
    } else {
        for (; i < n && row[i] != ','; i++) {
            if (o + 1 >= len) {
                return -1;
            }
            out[o++] = row[i];
        }
    }
    out[o] = '\0';
    return 0;
}

/* Keeps the RECORD rows whose file is still in the tree. */
static int rewrite_record(const char *tree, const char *record)
{
    char *text = NULL;
    size_t len = 0;
    if (read_file(record, LOCK_MAX, &text, &len) < 0) {
        return -1;
    }
    char *out = malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; out != NULL && i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len;
        char rel[PATH_MAX], abs[PATH_MAX];
        struct stat st;
        int keep = record_path(text + i, end - i, rel, sizeof(rel)) == 0 && rel[0] != '/' &&
                   strstr(rel, "..") == NULL && join(abs, sizeof(abs), tree, rel) == 0 &&
                   lstat(abs, &st) == 0 && S_ISREG(st.st_mode);
        if (keep) {
            memcpy(out + o, text + i, end - i);
            o += end - i;
        }
        i = end;
    }
    int rc = -1;
    if (out != NULL) {
        char tmp[PATH_MAX + 8];
        snprintf(tmp, sizeof(tmp), "%s.tmp", record);
        FILE *f = fopen(tmp, "we");
        if (f != NULL) {
            int ok = fwrite(out, 1, o, f) == o;
            ok = fclose(f) == 0 && ok;
            rc = ok && rename(tmp, record) == 0 ? 0 : -1;
            if (rc < 0) {
                unlink(tmp);
            }
        }
    }
    free(out);
    free(text);
    return rc;
}

static int strip_pip(const char *tree)
{
    char path[PATH_MAX];
    if (join(path, sizeof(path), tree, "bin") == 0) {
        remove_tree(path);
    }
    strip_walk(tree, LP_DEPS_PIP);
    DIR *d = opendir(tree);
    struct dirent *de;
    int rc = d != NULL ? 0 : -1;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (!ends_with(de->d_name, ".dist-info")) {
            continue;
        }
        static const char *const drop[] = {"INSTALLER", "REQUESTED", "direct_url.json"};
        char info[PATH_MAX], f[PATH_MAX];
        if (join(info, sizeof(info), tree, de->d_name) < 0) {
            continue;
        }
        for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
            if (join(f, sizeof(f), info, drop[i]) == 0) {
                unlink(f);
            }
        }
        if (join(f, sizeof(f), info, "RECORD") == 0 && access(f, F_OK) == 0 &&
            rewrite_record(tree, f) < 0) {
            rc = -1;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}

static void strip_npm(const char *tree)
{
    char path[PATH_MAX];
    if (join(path, sizeof(path), tree, "node_modules/.package-lock.json") == 0) {
        unlink(path);
    }
    strip_walk(tree, LP_DEPS_NPM);
}

/* ---- the key ---- */

/* Adds "<name> <size> <mtime>" of every entry of a find_links directory, so
 * that a changed wheelhouse is a different key. */
static void key_add_dir_listing(EVP_MD_CTX *ctx, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], line[PATH_MAX + 64];
        struct stat st;
        if (names[i]->d_name[0] != '.' && join(path, sizeof(path), dir, names[i]->d_name) == 0 &&
            stat(path, &st) == 0) {
            int len = snprintf(line, sizeof(line), "  %s %jd %jd\n", names[i]->d_name,
                               (intmax_t)st.st_size, (intmax_t)st.st_mtime);
            if (len > 0 && (size_t)len < sizeof(line)) {
                EVP_DigestUpdate(ctx, line, (size_t)len);
            }
        }
        free(names[i]);
    }
    free(names);
}

static void key_add(EVP_MD_CTX *ctx, const char *name, const char *value)
{
    EVP_DigestUpdate(ctx, name, strlen(name));
    EVP_DigestUpdate(ctx, " ", 1);
    EVP_DigestUpdate(ctx, value, strlen(value));
    EVP_DigestUpdate(ctx, "\n", 1);
}

static int compute_key(char out[65], const lp_deps_request *req, lp_deps_tool tool,
                       const tool_info *t, const char *lock_hex, const char *pkg_hex)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char d[32];
    unsigned int dl;
    char fmt[16];
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return -1;
    }
    snprintf(fmt, sizeof(fmt), "%d", LP_DEPS_FORMAT);
    key_add(ctx, "lambdapack-deps", fmt);
    key_add(ctx, "tool", tool_name(tool));
    key_add(ctx, "version", t->version);
    key_add(ctx, "runtime", req->runtime);
    key_add(ctx, "architecture", req->architecture != NULL ? req->architecture : "x86_64");
    key_add(ctx, "index_url", req->index_url == NULL ? "(default)" : req->index_url);
    for (size_t i = 0; i < req->n_find_links; i++) {
        char real[PATH_MAX];
        const char *p = realpath(req->find_links[i], real) != NULL ? real : req->find_links[i];
        key_add(ctx, "find_links", p);
        key_add_dir_listing(ctx, p);
    }
    key_add(ctx, "lock", lock_hex);
    key_add(ctx, "package.json", pkg_hex != NULL ? pkg_hex : "-");
    int ok = EVP_DigestFinal_ex(ctx, d, &dl) == 1;
    EVP_MD_CTX_free(ctx);
    if (ok) {
        lp_hash_hex(d, out);
    }
    return ok ? 0 : -1;
}

/* ---- installing ---- */

static int dirname_of(const char *file, char *out, size_t len)
{
    const char *slash = strrchr(file, '/');
    int n = slash == NULL
                ? snprintf(out, len, ".")
                : snprintf(out, len, "%.*s", slash == file ? 1 : (int)(slash - file), file);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Runs the tool; a failure becomes an error holding its stderr's last lines. */
static int run_tool(const lp_deps_request *req, lp_deps_tool tool, char **argv, const char *cwd,
                    double *seconds, lp_error *err)
{
    tool_env env;
    env_init(&env, tool);
    lp_proc_result *res = malloc(sizeof(*res));
    int timeout = req->timeout_seconds > 0 ? req->timeout_seconds : LP_DEPS_DEFAULT_TIMEOUT;
    int rc = res == NULL ? LP_ENOMEM : lp_proc_run(res, argv, env.vars, cwd, timeout, err);
    env_free(&env);
    if (rc == LP_ENOMEM) {
        rc = set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    } else if (rc < 0) {
        err->source_index = req->index;
        err->field = "file";
    } else if (res->timed_out) {
        rc = set_err(err, LP_EIO, ETIMEDOUT, req, "file", req->file,
                     "%s install of '%s' did not finish within %d seconds and was stopped; "
                     "last output: %s",
                     tool_name(tool), req->file, timeout, lp_proc_last_lines(res->err_tail, 8));
    } else if (res->exit_code != 0) {
        const char *tail = res->err_tail[0] != '\0' ? res->err_tail : res->out_tail;
        rc = set_err(err, LP_EIO, 0, req, "file", req->file,
                     "%s install of '%s' failed (exit %d%s%s):\n%s", tool_name(tool), req->file,
                     res->exit_code, res->signal ? ", signal " : "",
                     res->signal ? strsignal(res->signal) : "", lp_proc_last_lines(tail, 12));
    } else {
        *seconds = res->seconds;
    }
    free(res);
    return rc;
}

typedef struct argv_buf {
    char *v[128];
    size_t n;
    char store[LP_DEPS_MAX_TAGS][LP_DEPS_TAG_MAX];
} argv_buf;

static void arg(argv_buf *a, const char *s)
{
    if (a->n + 1 < sizeof(a->v) / sizeof(a->v[0])) {
        a->v[a->n++] = (char *)(uintptr_t)s;
        a->v[a->n] = NULL;
    }
}

static int install_pip(const lp_deps_request *req, const tool_info *t, const char *tree, int hashes,
                       double *seconds, lp_error *err)
{
    const lp_runtime_info *rt = lp_runtime_lookup(req->runtime);
    argv_buf *a = calloc(1, sizeof(*a));
    char pyver[16], abi[16], file_abs[PATH_MAX], cwd[PATH_MAX];
    size_t n_tags = 0;
    int rc;
    if (a == NULL) {
        return set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    lp_deps_platform_tags(req->runtime, req->architecture, a->store, LP_DEPS_MAX_TAGS, &n_tags);
    snprintf(pyver, sizeof(pyver), "3.%d", rt->python_minor);
    snprintf(abi, sizeof(abi), "cp3%d", rt->python_minor);
    if (realpath(req->file, file_abs) == NULL || dirname_of(file_abs, cwd, sizeof(cwd)) < 0) {
        free(a);
        return set_err(err, LP_ENOENT, errno, req, "file", req->file, "cannot resolve '%s': %s",
                       req->file, strerror(errno));
    }
    char *find_abs[16];
    size_t n_find = 0;
    const char *base[] = {t->exe,
                          "-m",
                          "pip",
                          "install",
                          "--target",
                          tree,
                          "--no-compile",
                          "--only-binary=:all:",
                          "--implementation",
                          "cp",
                          "--python-version",
                          pyver,
                          "--abi",
                          abi,
                          "--disable-pip-version-check",
                          "--no-input",
                          "--progress-bar",
                          "off",
                          "--no-warn-script-location"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        arg(a, base[i]);
    }
    for (size_t i = 0; i < n_tags; i++) {
        arg(a, "--platform");
        arg(a, a->store[i]);
    }
    if (hashes) {
        arg(a, "--require-hashes");
    }
    if (req->index_url != NULL && req->index_url[0] == '\0') {
        arg(a, "--no-index");
    } else if (req->index_url != NULL) {
        arg(a, "--index-url");
        arg(a, req->index_url);
    }
    for (size_t i = 0; i < req->n_find_links && n_find < 16; i++) {
        find_abs[n_find] = realpath(req->find_links[i], NULL);
        arg(a, "--find-links");
        arg(a, find_abs[n_find] != NULL ? find_abs[n_find] : req->find_links[i]);
        n_find++;
    }
    arg(a, "-r");
    arg(a, file_abs);
    rc = run_tool(req, LP_DEPS_PIP, a->v, cwd, seconds, err);
    if (rc == LP_EIO && err != NULL && strstr(err->message, "No matching distribution") != NULL) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof(err->message) - used,
                 "\nOnly wheels are installed (CPython %s, %s, glibc up to %s): source "
                 "distributions are not built, since a build is neither reproducible nor "
                 "possible for another architecture. Publish or pick a wheel for this platform.",
                 pyver,
                 a->store[0] + strlen(a->store[0]) - (strstr(a->store[0], "aarch64") ? 7 : 6),
                 rt->python_minor >= 12 ? "2.34 (Amazon Linux 2023)" : "2.26 (Amazon Linux 2)");
    }
    if (rc == 0 && strip_pip(tree) < 0) {
        rc = set_err(err, LP_EIO, errno, req, "file", tree,
                     "cannot remove pip's non-reproducible files in '%s'", tree);
    }
    for (size_t i = 0; i < n_find; i++) {
        free(find_abs[i]);
    }
    free(a);
    return rc;
}

static int copy_file(const char *from, const char *to)
{
    char *buf = NULL;
    size_t len = 0;
    if (read_file(from, LOCK_MAX, &buf, &len) < 0) {
        return -1;
    }
    FILE *f = fopen(to, "wxe");
    int ok = f != NULL && fwrite(buf, 1, len, f) == len;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    free(buf);
    return ok ? 0 : -1;
}

static int install_npm(const lp_deps_request *req, const tool_info *t, const char *tmp,
                       const char *tree, const char *pkg_json, double *seconds, lp_error *err)
{
    char work[PATH_MAX], lock_copy[PATH_MAX], pkg_copy[PATH_MAX], nm[PATH_MAX], nm_to[PATH_MAX];
    const char *arch = "x86_64", *cpu = "x64";
    arch_of(req->architecture, &arch, &cpu);
    const char *lock_base = strrchr(req->file, '/');
    lock_base = lock_base != NULL ? lock_base + 1 : req->file;
    if (join(work, sizeof(work), tmp, "work") < 0 ||
        join(lock_copy, sizeof(lock_copy), work, lock_base) < 0 ||
        join(pkg_copy, sizeof(pkg_copy), work, "package.json") < 0 ||
        join(nm, sizeof(nm), work, "node_modules") < 0 ||
        join(nm_to, sizeof(nm_to), tree, "node_modules") < 0 || mkdir(work, 0700) != 0 ||
        mkdir(tree, 0700) != 0 || copy_file(req->file, lock_copy) < 0 ||
        copy_file(pkg_json, pkg_copy) < 0) {
        return set_err(err, LP_EIO, errno, req, "file", tmp,
                       "cannot prepare a copy of '%s' in '%s': %s", req->file, tmp,
                       strerror(errno));
    }
    char cpu_opt[32];
    snprintf(cpu_opt, sizeof(cpu_opt), "--cpu=%s", cpu);
    argv_buf *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    const char *base[] = {
        t->exe,      "ci",         "--omit=dev", "--ignore-scripts",    "--no-audit",
        "--no-fund", "--os=linux", cpu_opt,      "--no-update-notifier"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        arg(a, base[i]);
    }
    if (req->index_url != NULL && req->index_url[0] == '\0') {
        arg(a, "--offline");
    } else if (req->index_url != NULL) {
        arg(a, "--registry");
        arg(a, req->index_url);
    }
    int rc = run_tool(req, LP_DEPS_NPM, a->v, work, seconds, err);
    free(a);
    struct stat st;
    if (rc == 0 && lstat(nm, &st) == 0 && S_ISDIR(st.st_mode) && rename(nm, nm_to) != 0) {
        rc = set_err(err, LP_EIO, errno, req, "file", nm, "cannot move '%s': %s", nm,
                     strerror(errno));
    }
    if (rc == 0) {
        strip_npm(tree);
    }
    return rc;
}

/* Checks the request, reads the lock file (and package.json) and hashes it. */
static int read_inputs(const lp_deps_request *req, lp_deps_tool *tool, char lock_hex[65],
                       char pkg_hex[65], char *pkg_json, size_t pkg_len, int *hashes,
                       lp_deps_result *res, lp_error *err)
{
    const char *arch, *cpu;
    const lp_runtime_info *rt = lp_runtime_lookup(req->runtime);
    *tool = lp_deps_tool_for(req->file);
    if (*tool == 0) {
        return set_err(err, LP_EINVAL, 0, req, "file", req->file,
                       "'%s' is neither a pip requirements file (*.txt) nor an npm lock file "
                       "(package-lock.json)",
                       req->file != NULL ? req->file : "");
    }
    if (arch_of(req->architecture, &arch, &cpu) < 0) {
        return set_err(err, LP_EINVAL, 0, req, "architecture", NULL,
                       "architecture '%s' is not one of Lambda's: x86_64 or arm64",
                       req->architecture);
    }
    lp_runtime_family want = *tool == LP_DEPS_PIP ? LP_RUNTIME_PYTHON : LP_RUNTIME_NODEJS;
    if (rt == NULL || rt->family != want) {
        return set_err(
            err, LP_EINVAL, 0, req, "file", req->file,
            "'%s' needs a %s runtime (set runtime, e.g. \"%s\"); runtime is %s%s%s", req->file,
            *tool == LP_DEPS_PIP ? "Python" : "Node.js",
            *tool == LP_DEPS_PIP ? "python3.12" : "nodejs20.x", req->runtime != NULL ? "\"" : "",
            req->runtime != NULL ? req->runtime : "not set", req->runtime != NULL ? "\"" : "");
    }
    if (*tool == LP_DEPS_NPM && req->n_find_links > 0) {
        return set_err(err, LP_EINVAL, 0, req, "find_links", req->file,
                       "find_links is for pip; '%s' is an npm lock file", req->file);
    }
    char *buf = NULL;
    size_t len = 0;
    int e = read_file(req->file, LOCK_MAX, &buf, &len);
    if (e < 0) {
        return set_err(err, e == -ENOENT ? LP_ENOENT : LP_EIO, -e, req, "file", req->file,
                       "cannot read '%s': %s", req->file, strerror(-e));
    }
    sha256_hex(buf, len, lock_hex);
    int rc = 0;
    if (*tool == LP_DEPS_PIP) {
        res->unpinned = lp_deps_pip_unpinned(buf, len, hashes, res->unpinned_first,
                                             sizeof(res->unpinned_first));
        pkg_hex[0] = '\0';
    } else {
        json_error_t je;
        json_t *j = json_loadb(buf, len, 0, &je);
        if (j == NULL || !json_is_object(j)) {
            rc = set_err(err, LP_EINVAL, 0, req, "file", req->file,
                         "'%s' is not a valid lock file: %s (line %d, column %d)", req->file,
                         j == NULL ? je.text : "not a JSON object", je.line, je.column);
        }
        json_decref(j);
        char dir[PATH_MAX];
        if (rc == 0 && (dirname_of(req->file, dir, sizeof(dir)) < 0 ||
                        join(pkg_json, pkg_len, dir, "package.json") < 0)) {
            rc = set_err(err, LP_EINVAL, ENAMETOOLONG, req, "file", req->file, "path too long");
        }
        free(buf);
        buf = NULL;
        if (rc == 0 && (e = read_file(pkg_json, LOCK_MAX, &buf, &len)) < 0) {
            rc = set_err(err, e == -ENOENT ? LP_ENOENT : LP_EIO, -e, req, "file", pkg_json,
                         "npm ci needs package.json beside '%s': cannot read '%s': %s", req->file,
                         pkg_json, strerror(-e));
        }
        if (rc == 0) {
            sha256_hex(buf, len, pkg_hex);
        }
    }
    free(buf);
    return rc;
}

static void progress(const lp_deps_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void progress(const lp_deps_request *req, const char *fmt, ...)
{
    if (req->progress == NULL) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    req->progress(req->payload, msg);
}

/* Installs into a fresh temporary directory and renames it to entry. */
static int install_entry(const lp_deps_request *req, lp_deps_tool tool, const tool_info *t,
                         const char *entry, const char *pkg_json, int hashes, lp_deps_result *res,
                         lp_error *err)
{
    static atomic_uint counter;
    char tmp[PATH_MAX], tree[PATH_MAX], mpath[PATH_MAX];
    unsigned c = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1;
    int n = snprintf(tmp, sizeof(tmp), "%s/.tmp-%.16s-%ld-%u", req->cache_dir, res->key,
                     (long)getpid(), c);
    if (n < 0 || (size_t)n >= sizeof(tmp) || join(tree, sizeof(tree), tmp, "tree") < 0 ||
        join(mpath, sizeof(mpath), tmp, "MANIFEST") < 0) {
        return set_err(err, LP_EINVAL, ENAMETOOLONG, req, "file", req->cache_dir,
                       "cache directory path too long: '%s'", req->cache_dir);
    }
    if (mkdir(tmp, 0700) != 0) {
        return set_err(err, LP_EIO, errno, req, "file", tmp, "cannot create '%s': %s", tmp,
                       strerror(errno));
    }
    progress(req, "installing %s with %s (%s, %s)", req->file, tool_name(tool), req->runtime,
             req->architecture != NULL ? req->architecture : "x86_64");
    int rc = tool == LP_DEPS_PIP ? install_pip(req, t, tree, hashes, &res->seconds, err)
                                 : install_npm(req, t, tmp, tree, pkg_json, &res->seconds, err);
    char *text = NULL;
    int bad = 0;
    struct stat st;
    if (rc == 0 && lstat(tree, &st) != 0 && mkdir(tree, 0700) != 0) {
        rc = set_err(err, LP_EIO, errno, req, "file", tree, "cannot create '%s'", tree);
    }
    if (rc == 0 && ((text = tree_manifest(tree, &bad, &res->n_files)) == NULL || bad)) {
        rc = set_err(err, LP_EIO, errno, req, "file", tree,
                     "cannot list the installed files in '%s' (special file or unreadable)", tree);
    }
    if (rc == 0) {
        FILE *f = fopen(mpath, "wxe");
        int ok = f != NULL && fputs(text, f) >= 0;
        if (f != NULL) {
            ok = fclose(f) == 0 && ok;
        }
        if (!ok) {
            rc = set_err(err, LP_EIO, errno, req, "file", mpath, "cannot write '%s': %s", mpath,
                         strerror(errno));
        }
    }
    if (rc == 0 && entry_mac_write(tmp, res->key, text) < 0) {
        rc = set_err(err, LP_EIO, errno, req, "file", tmp,
                     "cannot write the MAC of the cache entry '%s' (is the cache key readable?)",
                     tmp);
    }
    free(text);
    if (rc == 0 && rename(tmp, entry) != 0) {
        /* another run installed the same key first: use theirs if it verifies */
        size_t n_files = 0;
        if ((errno == EEXIST || errno == ENOTEMPTY) && entry_verify(entry, &n_files)) {
            res->n_files = n_files;
        } else {
            entry_discard(req->cache_dir, entry);
            if (rename(tmp, entry) != 0) {
                rc = set_err(err, LP_EIO, errno, req, "file", entry,
                             "cannot move the installed tree to '%s': %s", entry, strerror(errno));
            }
        }
    }
    remove_tree(tmp); /* nothing half-installed stays */
    return rc;
}

int lp_deps_install(lp_deps_result *res, const lp_deps_request *req, lp_error *err)
{
    lp_deps_tool tool;
    char lock_hex[65], pkg_hex[65], pkg_json[PATH_MAX], entry[PATH_MAX];
    int hashes = 0, rc;
    tool_info *t = NULL;
    memset(res, 0, sizeof(*res));
    if (req == NULL || req->version != LP_DEPS_REQUEST_VERSION || req->cache_dir == NULL) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, NULL, "invalid dependencies request");
    }
    if ((rc = read_inputs(req, &tool, lock_hex, pkg_hex, pkg_json, sizeof(pkg_json), &hashes, res,
                          err)) < 0) {
        return rc;
    }
    res->tool = tool;
    if ((rc = lp_fs_mkdirs(req->cache_dir, 1, err)) < 0) {
        err->source_index = req->index;
        err->field = "file";
        return rc;
    }
    chmod(req->cache_dir, 0700);
    if ((t = malloc(sizeof(*t))) == NULL) {
        return set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    if ((rc = tool_find(t, req, tool, err)) < 0) {
        goto done;
    }
    if (compute_key(res->key, req, tool, t, lock_hex, tool == LP_DEPS_NPM ? pkg_hex : NULL) < 0 ||
        join(entry, sizeof(entry), req->cache_dir, res->key) < 0) {
        rc = set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "cannot compute cache key");
        goto done;
    }
    struct stat st;
    if (lstat(entry, &st) == 0) {
        if (entry_verify(entry, &res->n_files)) {
            res->cache_hit = 1;
            utimensat(AT_FDCWD, entry, NULL, 0); /* used: keeps it from pruning */
        } else {
            entry_discard(req->cache_dir, entry); /* damaged: never trusted */
        }
    }
    if (!res->cache_hit) {
        prune(req->cache_dir);
        if ((rc = install_entry(req, tool, t, entry, pkg_json, hashes, res, err)) < 0) {
            goto done;
        }
    }
    size_t len = strlen(entry) + 6;
    res->tree = malloc(len);
    if (res->tree == NULL) {
        rc = set_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
        goto done;
    }
    snprintf(res->tree, len, "%s/tree", entry);
    rc = 0;
done:
    free(t);
    return rc;
}

void lp_deps_result_free(lp_deps_result *res)
{
    if (res != NULL) {
        free(res->tree);
        res->tree = NULL;
    }
}

/* ---- a package's dependencies ---- */

int lp_deps_install_all(lp_deps_set **out, const lp_spec *base, const lp_dependency *deps, size_t n,
                        const lp_deps_request *common, lp_error *err)
{
    lp_deps_set *set = calloc(1, sizeof(*set));
    *out = NULL;
    if (set == NULL || (set->results = calloc(n > 0 ? n : 1, sizeof(*set->results))) == NULL ||
        (set->sources = calloc(base->n_sources + n + 1, sizeof(*set->sources))) == NULL) {
        lp_deps_set_free(set);
        return lp_error_nomem(err);
    }
    memcpy(set->sources, base->sources, base->n_sources * sizeof(*set->sources));
    set->n_base = base->n_sources;
    for (size_t i = 0; i < n; i++) {
        lp_deps_request req = *common;
        req.file = deps[i].file;
        req.index_url = deps[i].index_url;
        req.find_links = deps[i].find_links;
        req.n_find_links = deps[i].n_find_links;
        req.index = (int)i;
        int rc = lp_deps_install(&set->results[i], &req, err);
        if (rc < 0) {
            lp_deps_set_free(set);
            return rc;
        }
        set->n = i + 1;
        lp_source *src = &set->sources[set->n_base + i];
        src->path = set->results[i].tree;
        src->prefix = deps[i].prefix;
    }
    set->n = n;
    set->spec = *base;
    set->spec.sources = set->sources;
    set->spec.n_sources = set->n_base + n;
    *out = set;
    return 0;
}

void lp_deps_set_free(lp_deps_set *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        lp_deps_result_free(&set->results[i]);
    }
    free(set->results);
    free(set->sources);
    free(set);
}
