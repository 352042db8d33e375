/*
 * lp_select: the filesystem walk behind lp_manifest_build.
 *
 * For every source it resolves the path (against spec->base_dir), walks a
 * directory recursively or takes a single file, prunes excluded directories,
 * keeps files matching the includes, follows symlinks whose realpath stays
 * inside the source root (or anywhere with allow_external_symlinks), detects
 * symlink loops through the stack of directories being walked, and never
 * selects the output ZIP (same device and inode, or same directory and name)
 * nor its temporary files. It must not read file contents: hashing belongs to
 * lp_manifest, and readdir order does not matter because the caller sorts.
 */
#include "lp_select.h"

#include "lp_buf.h"
#include "lp_compat.h"
#include "lp_fs.h"
#include "lp_glob.h"
#include "lp_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Build and tool leftovers that never belong in a function (documented in
 * docs/internals/glob.md and the resource's default_excludes). */
static const char *const default_excludes[] = {
    "__pycache__/", "*.pyc",  ".git/",          ".DS_Store",
    ".terraform/",  ".venv/", ".pytest_cache/", ".mypy_cache/",
    ".ruff_cache/", ".tox/",  ".coverage",      "**/node_modules/.cache/",
};

typedef struct dev_ino {
    dev_t dev;
    ino_t ino;
} dev_ino;

typedef struct walk {
    const lp_spec *spec;
    int si;
    const char *display_root; /* the source path as written, for messages */
    char *root_real;          /* realpath of the source root (owned) */
    size_t root_real_len;
    const char *prefix; /* normalized archive prefix, "" for none */
    lp_glob **excl;
    size_t n_excl;
    lp_glob **incl;
    size_t n_incl;
    int have_out, have_outdir;
    dev_ino out, outdir;
    const char *out_base;
    dev_ino stack[LP_SELECT_MAX_DEPTH + 2];
    size_t depth;
    lp_file **files;
    size_t *n;
    size_t cap;
    lp_error *err;
} walk;

void lp_select_free(lp_file *files, size_t n)
{
    if (files == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(files[i].archive_path);
        free(files[i].source_path);
        free((void *)files[i].content);
    }
    free(files);
}

/* a + "/" + b (or just b when a is empty) into a malloc'd string; NULL on
 * allocation failure. */
static char *join(const char *a, const char *b)
{
    char *s = NULL;
    if (a == NULL || a[0] == '\0') {
        return strdup(b);
    }
    size_t la = strlen(a), lb = strlen(b), slash = a[la - 1] == '/' ? 0 : 1;
    if ((s = malloc(la + slash + lb + 1)) == NULL) {
        return NULL;
    }
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + slash, b, lb + 1);
    return s;
}

/* Resolves a spec path against base_dir; malloc'd. */
static char *resolve(const lp_spec *spec, const char *path)
{
    if (path[0] == '/' || spec->base_dir == NULL || spec->base_dir[0] == '\0') {
        return strdup(path);
    }
    return join(spec->base_dir, path);
}

static int nomem(lp_error *err, int si)
{
    return lp_error_nomem_at(err, si, NULL, "");
}

/* Appends one entry; takes ownership of archive_path, source_path and content
 * in all cases. */
static int add_file(walk *w, char *archive_path, char *source_path, const struct stat *st,
                    unsigned char *content, size_t content_len)
{
    int rc = LP_OK;
    const char *why = archive_path != NULL ? lp_path_check(archive_path, 0) : NULL;
    if (archive_path == NULL) {
        rc = nomem(w->err, w->si);
        goto fail;
    }
    if (why != NULL) {
        rc = lp_error_set(w->err, LP_EPATH, 0, w->si, content != NULL ? "filename" : "path",
                          archive_path, "invalid archive path '%s' from '%s': %s", archive_path,
                          source_path != NULL ? source_path : "inline content", why);
        goto fail;
    }
    if (*w->n >= LP_SELECT_MAX_FILES) {
        rc = lp_error_set(w->err, LP_ELIMIT, 0, w->si, "path", archive_path,
                          "more than %d files selected", LP_SELECT_MAX_FILES);
        goto fail;
    }
    lp_file *grown =
        lp_buf_grow(*w->files, &w->cap, *w->n + 1, sizeof(*grown), LP_SELECT_MAX_FILES);
    if (grown == NULL) {
        rc = nomem(w->err, w->si);
        goto fail;
    }
    *w->files = grown;
    lp_file *f = &(*w->files)[(*w->n)++];
    memset(f, 0, sizeof(*f));
    f->archive_path = archive_path;
    f->source_path = source_path;
    f->source_index = w->si;
    if (st != NULL) {
        f->mode = (st->st_mode & 0111) != 0 ? 0755 : 0644;
        f->size = (uint64_t)st->st_size;
        f->id = (lp_file_id){.dev = (uint64_t)st->st_dev,
                             .ino = (uint64_t)st->st_ino,
                             .mtime_sec = (int64_t)LP_ST_MTIM(st).tv_sec,
                             .mtime_nsec = (int64_t)LP_ST_MTIM(st).tv_nsec,
                             .ctime_sec = (int64_t)LP_ST_CTIM(st).tv_sec,
                             .ctime_nsec = (int64_t)LP_ST_CTIM(st).tv_nsec,
                             .valid = 1};
    } else {
        f->mode = 0644;
        f->size = content_len;
    }
    f->content = content;
    return LP_OK;
fail:
    free(archive_path);
    free(source_path);
    free(content);
    return rc;
}

/* 1 when the path matches one of the globs, 0 when not, LP_ENOMEM. */
/*
 * Whether rel is excluded, with .gitignore's rules: the patterns are taken in
 * order (default excludes, then excludes, then the source's exclude) and the
 * last one that matches rel itself decides; a `!` pattern re-includes. A
 * path below an excluded directory is never reached (the walk prunes it), so
 * it cannot be re-included, as in git. Returns 1, 0, or LP_ENOMEM.
 */
static int is_excluded(const walk *w, const char *rel, int is_dir)
{
    int out = 0;
    for (size_t i = 0; i < w->n_excl; i++) {
        int m = lp_glob_match_self(w->excl[i], rel, is_dir);
        if (m < 0) {
            return m;
        }
        if (m > 0) {
            out = !lp_glob_negated(w->excl[i]);
        }
    }
    return out;
}

static int any_match(lp_glob *const *g, size_t n, const char *rel, int is_dir)
{
    for (size_t i = 0; i < n; i++) {
        int m = lp_glob_match(g[i], rel, is_dir);
        if (m != 0) {
            return m;
        }
    }
    return 0;
}

/* Whether name in a directory with identity dir is the output ZIP or one of
 * its temporary files (`<base>.XXXXXX.tmp`, libzip's `<base>...tmp.XXXXXX`). */
static int is_output(const walk *w, const struct stat *dirst, const char *name,
                     const struct stat *st)
{
    if (w->have_out && st->st_dev == w->out.dev && st->st_ino == w->out.ino) {
        return 1;
    }
    if (!w->have_outdir || dirst->st_dev != w->outdir.dev || dirst->st_ino != w->outdir.ino) {
        return 0;
    }
    size_t lb = strlen(w->out_base);
    if (strcmp(name, w->out_base) == 0) {
        return 1;
    }
    if (strncmp(name, w->out_base, lb) == 0 && name[lb] == '.') {
        size_t ln = strlen(name);
        if ((ln >= 4 && strcmp(name + ln - 4, ".tmp") == 0) || strstr(name + lb, ".tmp.") != NULL) {
            return 1;
        }
    }
    return 0;
}

static int walk_dir(walk *w, const char *fspath, const char *rel, const struct stat *dirst);

/* lstat of a walked entry: relative to its open directory when there is one
 * (the kernel then resolves one name, not the whole path). */
static int entry_lstat(int dir_fd, const char *fspath, const char *name, struct stat *st)
{
    if (dir_fd >= 0 && name != NULL) {
        return fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW);
    }
    return lstat(fspath, st);
}

/* Handles one directory entry (or the root file of a single-file source);
 * dir_fd is the open directory holding it, or -1. */
static int walk_entry(walk *w, int dir_fd, const char *fspath, const char *rel,
                      const struct stat *dirst, const char *name)
{
    int rc = LP_OK;
    struct stat st;
    char *real = NULL;
    char *display = join(w->display_root, rel);
    if (display == NULL) {
        return nomem(w->err, w->si);
    }
    if (entry_lstat(dir_fd, fspath, name, &st) != 0) {
        if (errno == ENOENT) {
            goto done; /* vanished while walking */
        }
        rc = lp_error_set(w->err, LP_EIO, errno, w->si, "path", display, "cannot stat '%s': %s",
                          display, strerror(errno));
        goto done;
    }
    if (S_ISLNK(st.st_mode)) {
        /* An excluded link is skipped without being followed: excluding a
         * dangling or escaping link is how a user keeps it out. */
        int excluded = is_excluded(w, rel, 0);
        if (excluded == 0) {
            excluded = is_excluded(w, rel, 1);
        }
        if (excluded != 0) {
            rc = excluded < 0 ? nomem(w->err, w->si) : LP_OK;
            goto done;
        }
        if ((real = realpath(fspath, NULL)) == NULL) {
            int e = errno;
            if (e == ENOMEM) {
                rc = lp_error_nomem_at(w->err, w->si, "path", display);
                goto done;
            }
            rc = lp_error_set(w->err, LP_ESYMLINK, e, w->si, "path", display,
                              e == ELOOP ? "symlink '%s' loops" : "cannot follow symlink '%s': %s",
                              display, strerror(e));
            goto done;
        }
        int inside = strncmp(real, w->root_real, w->root_real_len) == 0 &&
                     (real[w->root_real_len] == '/' || real[w->root_real_len] == '\0' ||
                      w->root_real_len == 1);
        if (!inside && !w->spec->allow_external_symlinks) {
            rc = lp_error_set(w->err, LP_ESYMLINK, 0, w->si, "path", display,
                              "symlink '%s' points outside its source '%s' (to '%s')", display,
                              w->display_root, real);
            goto done;
        }
        if (stat(fspath, &st) != 0) {
            rc = lp_error_set(w->err, LP_ESYMLINK, errno, w->si, "path", display,
                              "cannot follow symlink '%s': %s", display, strerror(errno));
            goto done;
        }
    }
    if (S_ISDIR(st.st_mode)) {
        if ((rc = is_excluded(w, rel, 1)) != 0) {
            rc = rc < 0 ? nomem(w->err, w->si) : LP_OK;
            goto done;
        }
        for (size_t i = 0; i < w->depth; i++) {
            if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
                rc = lp_error_set(w->err, LP_ESYMLINK, ELOOP, w->si, "path", display,
                                  "symlink '%s' loops back to a parent directory", display);
                goto done;
            }
        }
        rc = walk_dir(w, fspath, rel, &st);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        goto done; /* sockets, fifos, devices: never packaged */
    }
    if (dirst != NULL && is_output(w, dirst, name, &st)) {
        goto done;
    }
    if ((rc = is_excluded(w, rel, 0)) != 0) {
        rc = rc < 0 ? nomem(w->err, w->si) : LP_OK;
        goto done;
    }
    if (w->n_incl > 0) {
        int m = any_match(w->incl, w->n_incl, rel, 0);
        if (m <= 0) {
            rc = m < 0 ? nomem(w->err, w->si) : LP_OK;
            goto done;
        }
    }
    char *src = strdup(fspath);
    if (src == NULL) {
        rc = nomem(w->err, w->si);
        goto done;
    }
    rc = add_file(w, join(w->prefix, rel), src, &st, NULL, 0);
done:
    free(real);
    free(display);
    return rc;
}

/* "cannot read 'DIR': ..." naming the directory as the spec spells it. */
static int dir_error(walk *w, const char *rel, int e)
{
    char *display = rel[0] != '\0' ? join(w->display_root, rel) : strdup(w->display_root);
    int rc = lp_error_set(w->err, lp_error_errno_code(e), e, w->si, "path",
                          display != NULL ? display : w->display_root, "cannot read '%s': %s",
                          display != NULL ? display : w->display_root, strerror(e));
    free(display);
    return rc;
}

static int walk_dir(walk *w, const char *fspath, const char *rel, const struct stat *dirst)
{
    int rc = LP_OK;
    DIR *d = NULL;
    char *childfs = NULL, *childrel = NULL;
    if (w->depth >= LP_SELECT_MAX_DEPTH) {
        return lp_error_set(w->err, LP_ELIMIT, 0, w->si, "path", fspath,
                            "directory '%s' is nested deeper than %d levels", fspath,
                            LP_SELECT_MAX_DEPTH);
    }
    w->stack[w->depth].dev = dirst->st_dev;
    w->stack[w->depth].ino = dirst->st_ino;
    w->depth++;
    if ((d = opendir(fspath)) == NULL) {
        rc = dir_error(w, rel, errno);
        goto done;
    }
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0) {
                rc = dir_error(w, rel, errno);
            }
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if ((childfs = join(fspath, de->d_name)) == NULL ||
            (childrel = join(rel, de->d_name)) == NULL) {
            rc = nomem(w->err, w->si);
            break;
        }
        if ((rc = walk_entry(w, dirfd(d), childfs, childrel, dirst, de->d_name)) < 0) {
            break;
        }
        free(childfs);
        free(childrel);
        childfs = childrel = NULL;
    }
done:
    free(childfs);
    free(childrel);
    if (d != NULL) {
        closedir(d);
    }
    w->depth--;
    return rc;
}

/* Compiles n patterns, appending to *globs; errors name field and source. */
static int compile_all(lp_glob ***globs, size_t *count, const char *const *pats, size_t n,
                       const char *field, int si, lp_error *err)
{
    if (n == 0) {
        return LP_OK;
    }
    lp_glob **grown = realloc(*globs, (*count + n) * sizeof(*grown));
    if (grown == NULL) {
        return nomem(err, si);
    }
    *globs = grown;
    for (size_t i = 0; i < n; i++) {
        if (pats[i] == NULL) {
            return lp_error_set(err, LP_EGLOB, 0, si, field, "", "invalid glob: NULL pattern");
        }
        int rc = lp_glob_compile(&grown[*count], pats[i], err);
        if (rc == 0 && lp_glob_negated(grown[*count]) && strcmp(field, "include") == 0) {
            lp_glob_free(grown[*count]);
            rc = lp_error_set(err, LP_EGLOB, 0, si, field, pats[i],
                              "invalid glob '%s': `!` (re-include) works in exclude lists; "
                              "write '\\%s' for a name that begins with '!'",
                              pats[i], pats[i]);
        }
        if (rc < 0) {
            if (err != NULL) {
                err->field = field;
                err->source_index = si;
            }
            return rc;
        }
        (*count)++;
    }
    return LP_OK;
}

static void free_globs(lp_glob **g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lp_glob_free(g[i]);
    }
    free(g);
}

/* Normalizes a prefix (drops trailing '/') into a malloc'd string. */
static int normalize_prefix(const char *prefix, int si, char **out, lp_error *err)
{
    const char *p = prefix != NULL ? prefix : "";
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/') {
        n--;
    }
    if ((*out = strndup(p, n)) == NULL) {
        return nomem(err, si);
    }
    return lp_spec_check_prefix(p, si, err);
}

/* Spec-wide globs (default excludes + spec->excludes) compiled once. */
static int compile_spec_excludes(const lp_spec *spec, lp_glob ***g, size_t *n, lp_error *err)
{
    int rc;
    if (spec->default_excludes) {
        size_t nd = sizeof(default_excludes) / sizeof(default_excludes[0]);
        if ((rc = compile_all(g, n, default_excludes, nd, "excludes", -1, err)) < 0) {
            return rc;
        }
    }
    return compile_all(g, n, spec->excludes, spec->n_excludes, "excludes", -1, err);
}

/* A file source's prefix is the folder the file goes in. One whose last
 * part is the file's own name ("settings.json" under "api/settings.json")
 * would nest the file in a folder of its name: an error saying what to
 * write instead. */
static int check_file_prefix(walk *w, const char *prefix, const char *name)
{
    const char *last = strrchr(prefix, '/');
    last = last != NULL ? last + 1 : prefix;
    if (prefix[0] == '\0' || strcmp(last, name) != 0) {
        return LP_OK;
    }
    int parent = (int)(last - prefix) - (last != prefix ? 1 : 0);
    if (parent == 0) {
        return lp_error_set(w->err, LP_EPATH, 0, w->si, "prefix", prefix,
                            "prefix '%s' names the file itself; a prefix is the folder the file "
                            "goes in, so it would land at %s/%s. Leave prefix out to put it at "
                            "the root as %s.",
                            prefix, prefix, name, name);
    }
    return lp_error_set(w->err, LP_EPATH, 0, w->si, "prefix", prefix,
                        "prefix '%s' names the file itself; a prefix is the folder the file goes "
                        "in, so it would land at %s/%s. Write prefix = \"%.*s\" to get %s.",
                        prefix, prefix, name, parent, prefix, prefix);
}

/* A source with inline content (and a filename, and no path). */
static int select_content(walk *w, const lp_source *src, const char *prefix)
{
    if (src->content == NULL) {
        return lp_error_set(w->err, LP_EINVAL, 0, w->si, "path", "",
                            "source %d has neither a path nor content", w->si);
    }
    if (src->path != NULL) {
        return lp_error_set(w->err, LP_EINVAL, 0, w->si, "content", src->path,
                            "source %d has both a path and content", w->si);
    }
    if (src->filename == NULL || src->filename[0] == '\0') {
        return lp_error_set(w->err, LP_EINVAL, 0, w->si, "filename", "",
                            "inline content of source %d has no filename", w->si);
    }
    unsigned char *copy = malloc(src->content_len > 0 ? src->content_len : 1);
    if (copy == NULL) {
        return nomem(w->err, w->si);
    }
    memcpy(copy, src->content, src->content_len);
    return add_file(w, join(prefix, src->filename), NULL, NULL, copy, src->content_len);
}

/* A source whose path is a single file: its name is matched and used as the
 * archive name. Its directory's identity lets the output check work. */
static int select_file(walk *w, const char *fspath, const char *prefix)
{
    int rc;
    const char *slash = strrchr(w->root_real, '/');
    const char *name = slash != NULL ? slash + 1 : w->root_real;
    /* The archive name is the name as written (a symlink keeps its own). */
    const char *wslash = strrchr(fspath, '/');
    const char *wname = wslash != NULL ? wslash + 1 : fspath;
    if ((rc = check_file_prefix(w, prefix, wname)) < 0) {
        return rc;
    }
    struct stat dirst;
    char *dir = strndup(w->root_real, (size_t)(name - w->root_real));
    if (dir == NULL) {
        return nomem(w->err, w->si);
    }
    int have_dir = stat(dir[0] != '\0' ? dir : "/", &dirst) == 0;
    free(dir);
    /* Following the symlink of a file source is always allowed: it is the
     * root itself. */
    w->root_real[0] = '/';
    w->root_real[1] = '\0';
    w->root_real_len = 1;
    return walk_entry(w, -1, fspath, wname, have_dir ? &dirst : NULL, name);
}

static int select_source(walk *w, lp_glob **spec_excl, size_t n_spec_excl)
{
    const lp_source *src = &w->spec->sources[w->si];
    int rc = LP_OK;
    char *prefix = NULL, *fspath = NULL;
    struct stat st;

    if ((rc = normalize_prefix(src->prefix, w->si, &prefix, w->err)) < 0) {
        goto done;
    }
    w->prefix = prefix;
    if (src->path == NULL || src->content != NULL) {
        rc = select_content(w, src, prefix);
        goto done;
    }
    if (src->path[0] == '\0') {
        rc = lp_error_set(w->err, LP_EINVAL, 0, w->si, "path", "", "source %d has an empty path",
                          w->si);
        goto done;
    }

    /* Globs: spec-wide excludes first (borrowed), then this source's own. */
    w->excl = NULL;
    w->n_excl = 0;
    w->incl = NULL;
    w->n_incl = 0;
    if (n_spec_excl > 0) {
        if ((w->excl = malloc(n_spec_excl * sizeof(*w->excl))) == NULL) {
            rc = nomem(w->err, w->si);
            goto done;
        }
        memcpy(w->excl, spec_excl, n_spec_excl * sizeof(*w->excl));
    }
    size_t n_borrowed = n_spec_excl;
    w->n_excl = n_spec_excl;
    if ((rc = compile_all(&w->excl, &w->n_excl, src->exclude, src->n_exclude, "exclude", w->si,
                          w->err)) < 0 ||
        (rc = compile_all(&w->incl, &w->n_incl, src->include, src->n_include, "include", w->si,
                          w->err)) < 0) {
        goto free_globs;
    }

    if ((fspath = resolve(w->spec, src->path)) == NULL) {
        rc = nomem(w->err, w->si);
        goto free_globs;
    }
    w->display_root = src->path;
    if (stat(fspath, &st) != 0 || (w->root_real = realpath(fspath, NULL)) == NULL) {
        int e = errno;
        char near[PATH_MAX], hint[PATH_MAX + 32] = "";
        if (e == ENOENT && lp_fs_nearest_path(src->path, w->spec->base_dir, near, sizeof(near))) {
            snprintf(hint, sizeof(hint), "; did you mean '%s'?", near);
        }
        rc = lp_error_set(w->err, lp_error_errno_code(e), e, w->si, "path", src->path,
                          "cannot read '%s': %s%s", src->path, strerror(e), hint);
        goto free_globs;
    }
    w->root_real_len = strlen(w->root_real);
    w->depth = 0;
    if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(w, fspath, "", &st);
    } else if (S_ISREG(st.st_mode)) {
        rc = select_file(w, fspath, prefix);
    } else {
        rc = lp_error_set(w->err, LP_EINVAL, 0, w->si, "path", src->path,
                          "source '%s' is neither a file nor a directory", src->path);
    }
free_globs:
    for (size_t i = n_borrowed; i < w->n_excl; i++) {
        lp_glob_free(w->excl[i]);
    }
    free(w->excl);
    free_globs(w->incl, w->n_incl);
    w->excl = w->incl = NULL;
    w->n_excl = w->n_incl = 0;
done:
    free(w->root_real);
    w->root_real = NULL;
    free(prefix);
    free(fspath);
    return rc;
}

int lp_select_files(const lp_spec *spec, lp_file **files, size_t *n, lp_error *err)
{
    int rc = LP_OK;
    lp_glob **spec_excl = NULL;
    size_t n_spec_excl = 0;
    char *out = NULL, *outdir = NULL;
    walk *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return nomem(err, -1);
    }
    w->spec = spec;
    w->files = files;
    w->n = n;
    w->cap = *n;
    w->err = err;
    w->out_base = "";

    if ((rc = compile_spec_excludes(spec, &spec_excl, &n_spec_excl, err)) < 0) {
        goto done;
    }
    if (spec->output_path != NULL && spec->output_path[0] != '\0') {
        struct stat st;
        if ((out = resolve(spec, spec->output_path)) == NULL) {
            rc = nomem(err, -1);
            goto done;
        }
        if (stat(out, &st) == 0) {
            w->have_out = 1;
            w->out.dev = st.st_dev;
            w->out.ino = st.st_ino;
        }
        char *slash = strrchr(out, '/');
        w->out_base = slash != NULL ? slash + 1 : out;
        outdir = slash == NULL  ? strdup(".")
                 : slash == out ? strdup("/")
                                : strndup(out, (size_t)(slash - out));
        if (outdir == NULL) {
            rc = nomem(err, -1);
            goto done;
        }
        if (stat(outdir, &st) == 0) {
            w->have_outdir = 1;
            w->outdir.dev = st.st_dev;
            w->outdir.ino = st.st_ino;
        }
    }
    for (size_t i = 0; i < spec->n_sources; i++) {
        w->si = (int)i;
        if ((rc = select_source(w, spec_excl, n_spec_excl)) < 0) {
            goto done;
        }
    }
done:
    free_globs(spec_excl, n_spec_excl);
    free(out);
    free(outdir);
    free(w);
    return rc;
}
