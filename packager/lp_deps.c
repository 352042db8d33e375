/*
 * lp_deps: installs a lock file's dependencies into a verified cache entry
 * (see include/lp_deps.h for the contract, docs/guides/dependencies.md for
 * the user's view, lp_deps_int.h for how the parts divide the work).
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
 * This file owns that order, the request's inputs, the key and the helpers
 * the other parts share. This module must not know Terraform; it never
 * touches files outside the cache directory except to read the lock file and
 * package.json.
 */
#include "lp_deps_int.h"

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
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_runtime.h"

/* ---- small helpers ---- */

int lp_deps_err(lp_error *err, int code, int sys_errno, const lp_deps_request *req,
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

int lp_deps_read_file(const char *path, size_t max, char **buf, size_t *len)
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

void lp_deps_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char d[32];
    lp_hash_sha256(data, n, d);
    lp_hash_hex(d, out);
}

int lp_deps_join(char *out, size_t len, const char *a, const char *b)
{
    int n = snprintf(out, len, "%s/%s", a, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lp_deps_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        return -errno;
    }
    struct dirent *de;
    char child[PATH_MAX];
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        int e = lp_deps_join(child, sizeof(child), path, de->d_name) == 0
                    ? lp_deps_remove_tree(child)
                    : -ENAMETOOLONG;
        if (e < 0 && rc == 0) {
            rc = e;
        }
    }
    closedir(d);
    if (rmdir(path) != 0 && rc == 0) {
        rc = -errno;
    }
    return rc;
}

int lp_deps_dirname(const char *file, char *out, size_t len)
{
    const char *slash = strrchr(file, '/');
    int n = slash == NULL
                ? snprintf(out, len, ".")
                : snprintf(out, len, "%.*s", slash == file ? 1 : (int)(slash - file), file);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lp_deps_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
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

/* ---- the key ---- */

/* Adds "<name> <size> <mtime>" of every entry of a find_links directory, so
 * that a changed wheelhouse is a different key. -1 when the listing could
 * not be made for lack of memory: the key of an empty wheelhouse would
 * name another install. */
static int key_add_dir_listing(EVP_MD_CTX *ctx, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0 && errno == ENOMEM) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], line[PATH_MAX + 64];
        struct stat st;
        if (names[i]->d_name[0] != '.' &&
            lp_deps_join(path, sizeof(path), dir, names[i]->d_name) == 0 && stat(path, &st) == 0) {
            int len = snprintf(line, sizeof(line), "  %s %jd %jd\n", names[i]->d_name,
                               (intmax_t)st.st_size, (intmax_t)st.st_mtime);
            if (len > 0 && (size_t)len < sizeof(line)) {
                EVP_DigestUpdate(ctx, line, (size_t)len);
            }
        }
        free(names[i]);
    }
    free(names);
    return 0;
}

static void key_add(EVP_MD_CTX *ctx, const char *name, const char *value)
{
    EVP_DigestUpdate(ctx, name, strlen(name));
    EVP_DigestUpdate(ctx, " ", 1);
    EVP_DigestUpdate(ctx, value, strlen(value));
    EVP_DigestUpdate(ctx, "\n", 1);
}

static int compute_key(char out[65], const lp_deps_request *req, lp_deps_tool tool,
                       const lp_deps_tool_info *t, const char *lock_hex, const char *pkg_hex)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char d[32];
    unsigned int dl;
    char fmt[16];
    if (ctx == NULL || EVP_DigestInit_ex(ctx, lp_hash_sha256_md(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return -1;
    }
    snprintf(fmt, sizeof(fmt), "%d", LP_DEPS_FORMAT);
    key_add(ctx, "lambdapack-deps", fmt);
    key_add(ctx, "tool", lp_deps_tool_name(tool));
    key_add(ctx, "version", t->version);
    key_add(ctx, "runtime", req->runtime);
    key_add(ctx, "architecture", req->architecture != NULL ? req->architecture : "x86_64");
    key_add(ctx, "index_url", req->index_url == NULL ? "(default)" : req->index_url);
    for (size_t i = 0; i < req->n_find_links; i++) {
        char real[PATH_MAX];
        const char *p = realpath(req->find_links[i], real) != NULL ? real : req->find_links[i];
        key_add(ctx, "find_links", p);
        if (key_add_dir_listing(ctx, p) < 0) {
            EVP_MD_CTX_free(ctx);
            return -1;
        }
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

/* Checks the request, reads the lock file (and package.json) and hashes it. */
static int read_inputs(const lp_deps_request *req, lp_deps_tool *tool, char lock_hex[65],
                       char pkg_hex[65], char *pkg_json, size_t pkg_len, int *hashes,
                       lp_deps_result *res, lp_error *err)
{
    const char *arch, *cpu;
    const lp_runtime_info *rt = lp_runtime_lookup(req->runtime);
    *tool = lp_deps_tool_for(req->file);
    if (*tool == 0) {
        return lp_deps_err(err, LP_EINVAL, 0, req, "file", req->file,
                           "'%s' is neither a pip requirements file (*.txt) nor an npm lock file "
                           "(package-lock.json)",
                           req->file != NULL ? req->file : "");
    }
    if (lp_deps_tool_arch(req->architecture, &arch, &cpu) < 0) {
        return lp_deps_err(err, LP_EINVAL, 0, req, "architecture", NULL,
                           "architecture '%s' is not one of Lambda's: x86_64 or arm64",
                           req->architecture);
    }
    lp_runtime_family want = *tool == LP_DEPS_PIP ? LP_RUNTIME_PYTHON : LP_RUNTIME_NODEJS;
    if (rt == NULL || rt->family != want) {
        return lp_deps_err(
            err, LP_EINVAL, 0, req, "file", req->file,
            "'%s' needs a %s runtime (set runtime, e.g. \"%s\"); runtime is %s%s%s", req->file,
            *tool == LP_DEPS_PIP ? "Python" : "Node.js",
            *tool == LP_DEPS_PIP ? "python3.12" : "nodejs20.x", req->runtime != NULL ? "\"" : "",
            req->runtime != NULL ? req->runtime : "not set", req->runtime != NULL ? "\"" : "");
    }
    if (*tool == LP_DEPS_NPM && req->n_find_links > 0) {
        return lp_deps_err(err, LP_EINVAL, 0, req, "find_links", req->file,
                           "find_links is for pip; '%s' is an npm lock file", req->file);
    }
    char *buf = NULL;
    size_t len = 0;
    int e = lp_deps_read_file(req->file, LP_DEPS_LOCK_MAX, &buf, &len);
    if (e < 0) {
        return lp_deps_err(err, lp_error_errno_code(-e), -e, req, "file", req->file,
                           "cannot read '%s': %s", req->file, strerror(-e));
    }
    lp_deps_sha256_hex(buf, len, lock_hex);
    int rc = 0;
    if (*tool == LP_DEPS_PIP) {
        res->unpinned = lp_deps_pip_unpinned(buf, len, hashes, res->unpinned_first,
                                             sizeof(res->unpinned_first));
        if (res->unpinned < 0) {
            /* without the count, --require-hashes could be left out */
            res->unpinned = 0;
            rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
        }
        pkg_hex[0] = '\0';
    } else {
        json_error_t je;
        json_t *j = json_loadb(buf, len, 0, &je);
        if (j == NULL || !json_is_object(j)) {
            rc = lp_deps_err(err, LP_EINVAL, 0, req, "file", req->file,
                             "'%s' is not a valid lock file: %s (line %d, column %d)", req->file,
                             j == NULL ? je.text : "not a JSON object", je.line, je.column);
        }
        json_decref(j);
        char dir[PATH_MAX];
        if (rc == 0 && (lp_deps_dirname(req->file, dir, sizeof(dir)) < 0 ||
                        lp_deps_join(pkg_json, pkg_len, dir, "package.json") < 0)) {
            rc = lp_deps_err(err, LP_EINVAL, ENAMETOOLONG, req, "file", req->file, "path too long");
        }
        free(buf);
        buf = NULL;
        if (rc == 0 && (e = lp_deps_read_file(pkg_json, LP_DEPS_LOCK_MAX, &buf, &len)) < 0) {
            rc = lp_deps_err(err, lp_error_errno_code(-e), -e, req, "file", pkg_json,
                             "npm ci needs package.json beside '%s': cannot read '%s': %s",
                             req->file, pkg_json, strerror(-e));
        }
        if (rc == 0) {
            lp_deps_sha256_hex(buf, len, pkg_hex);
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
static int install_entry(const lp_deps_request *req, lp_deps_tool tool, const lp_deps_tool_info *t,
                         const char *entry, const char *pkg_json, int hashes, lp_deps_result *res,
                         lp_error *err)
{
    static atomic_uint counter;
    char tmp[PATH_MAX], tree[PATH_MAX], mpath[PATH_MAX];
    unsigned c = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1;
    int n = snprintf(tmp, sizeof(tmp), "%s/.tmp-%.16s-%ld-%u", req->cache_dir, res->key,
                     (long)getpid(), c);
    if (n < 0 || (size_t)n >= sizeof(tmp) || lp_deps_join(tree, sizeof(tree), tmp, "tree") < 0 ||
        lp_deps_join(mpath, sizeof(mpath), tmp, "MANIFEST") < 0) {
        return lp_deps_err(err, LP_EINVAL, ENAMETOOLONG, req, "file", req->cache_dir,
                           "cache directory path too long: '%s'", req->cache_dir);
    }
    if (mkdir(tmp, 0700) != 0) {
        return lp_deps_err(err, LP_EIO, errno, req, "file", tmp, "cannot create '%s': %s", tmp,
                           strerror(errno));
    }
    progress(req, "installing %s with %s (%s, %s)", req->file, lp_deps_tool_name(tool),
             req->runtime, req->architecture != NULL ? req->architecture : "x86_64");
    int rc = tool == LP_DEPS_PIP
                 ? lp_deps_pip_install(req, t, tree, hashes, &res->seconds, err)
                 : lp_deps_npm_install(req, t, tmp, tree, pkg_json, &res->seconds, err);
    char *text = NULL;
    int bad = 0;
    struct stat st;
    if (rc == 0 && lstat(tree, &st) != 0 && mkdir(tree, 0700) != 0) {
        rc = lp_deps_err(err, LP_EIO, errno, req, "file", tree, "cannot create '%s'", tree);
    }
    if (rc == 0 && (text = lp_deps_entry_manifest(tree, &bad, &res->n_files)) == NULL && !bad) {
        rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", tree, "out of memory");
    } else if (rc == 0 && (text == NULL || bad)) {
        rc = lp_deps_err(err, LP_EIO, errno, req, "file", tree,
                         "cannot list the installed files in '%s' (special file or unreadable)",
                         tree);
    }
    if (rc == 0) {
        FILE *f = fopen(mpath, "wxe");
        int ok = f != NULL && fputs(text, f) >= 0;
        if (f != NULL) {
            ok = fclose(f) == 0 && ok;
        }
        if (!ok) {
            rc = lp_deps_err(err, LP_EIO, errno, req, "file", mpath, "cannot write '%s': %s", mpath,
                             strerror(errno));
        }
    }
    int mac_rc = rc == 0 ? lp_deps_entry_mac_write(tmp, res->key, text) : 0;
    if (mac_rc == -ENOMEM) {
        rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", tmp, "out of memory");
    } else if (mac_rc < 0) {
        rc = lp_deps_err(
            err, LP_EIO, errno, req, "file", tmp,
            "cannot write the MAC of the cache entry '%s' (is the cache key readable?)", tmp);
    }
    free(text);
    if (rc == 0 && rename(tmp, entry) != 0) {
        /* another run installed the same key first: use theirs if it verifies */
        size_t n_files = 0;
        if ((errno == EEXIST || errno == ENOTEMPTY) && lp_deps_entry_verify(entry, &n_files)) {
            res->n_files = n_files;
        } else {
            lp_deps_entry_discard(req->cache_dir, entry);
            if (rename(tmp, entry) != 0) {
                rc = lp_deps_err(err, LP_EIO, errno, req, "file", entry,
                                 "cannot move the installed tree to '%s': %s", entry,
                                 strerror(errno));
            }
        }
    }
    lp_deps_remove_tree(tmp); /* nothing half-installed stays */
    return rc;
}

int lp_deps_install(lp_deps_result *res, const lp_deps_request *req, lp_error *err)
{
    lp_deps_tool tool;
    char lock_hex[65], pkg_hex[65], pkg_json[PATH_MAX], entry[PATH_MAX];
    int hashes = 0, rc;
    lp_deps_tool_info *t = NULL;
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
        return lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    if ((rc = lp_deps_tool_find(t, req, tool, err)) < 0) {
        goto done;
    }
    if (compute_key(res->key, req, tool, t, lock_hex, tool == LP_DEPS_NPM ? pkg_hex : NULL) < 0 ||
        lp_deps_join(entry, sizeof(entry), req->cache_dir, res->key) < 0) {
        rc =
            lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "cannot compute cache key");
        goto done;
    }
    struct stat st;
    if (lstat(entry, &st) == 0) {
        if (lp_deps_entry_verify(entry, &res->n_files)) {
            res->cache_hit = 1;
            utimensat(AT_FDCWD, entry, NULL, 0); /* used: keeps it from pruning */
        } else {
            lp_deps_entry_discard(req->cache_dir, entry); /* damaged: never trusted */
        }
    }
    if (!res->cache_hit) {
        lp_deps_entry_prune(req->cache_dir);
        if ((rc = install_entry(req, tool, t, entry, pkg_json, hashes, res, err)) < 0) {
            goto done;
        }
    }
    size_t len = strlen(entry) + 6;
    res->tree = malloc(len);
    if (res->tree == NULL) {
        rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
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
