/*
 * Allocation-failure tests (curl's "torture" runs): every scenario runs once
 * to count the allocations the packager makes, then once more per
 * allocation, failing exactly that one. Each run must end in LP_ENOMEM (err
 * filled, "out of memory"), or, where a failure only costs a cache entry,
 * succeed with the very result of the reference run; it must not crash,
 * leave a temporary or partial ZIP, or touch the previous ZIP. Leaks are
 * LeakSanitizer's job: under the ASan build each scenario ends with a leak
 * check, and the run that leaked is named.
 *
 * The shim: this binary is linked with -Wl,--wrap=malloc,calloc,realloc,
 * strdup,strndup,asprintf,vasprintf,realpath,open_memstream,opendir,scandir
 * (tests/packager/CMakeLists.txt), so the packager's own calls to those come
 * here; shared libraries (libzip, OpenSSL, zlib, jansson) keep the real
 * allocator (jansson reports an allocation that fails inside its lexer as a
 * syntax error, so its failures could not be told apart). While a scenario runs
 * the shim counts the calls and fails the one it was told to.
 *
 * Budget: scenarios with at most AF_EVERY allocations fail each of them;
 * larger ones fail the first AF_EVERY and then AF_STRIDED more, evenly
 * spread up to the last one (the summary line says which).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_cache.h"
#include "lp_cache_int.h" /* lp_cache_get */
#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_memo.h"
#include "lp_output.h"
#include "lp_spec.h"
#include "lp_store.h"
#include "lp_summary.h"
#include "lp_zip.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define AF_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AF_LSAN 1
#endif
#endif
#ifdef AF_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* Fail every allocation of a scenario with at most this many... */
#define AF_EVERY 3000
/* ...else the first AF_EVERY and this many more, spread to the end. */
#define AF_STRIDED 1000

/* ---- the shim ---- */

static atomic_int g_armed;    /* count (and maybe fail) allocations */
static atomic_long g_count;   /* allocations seen while armed */
static atomic_long g_fail_at; /* 1-based allocation to fail; 0: none */
static atomic_int g_injected; /* the failure happened */
static int g_trace;           /* LP_ALLOCFAIL_TRACE=1: print where */
static int g_store;           /* LP_ALLOCFAIL_GROUP=store: the store of compressed entries is on */
static int g_deps = 1;        /* the dependency scenarios run: their fixture is made */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
char *__real_realpath(const char *path, char *resolved);
FILE *__real_open_memstream(char **buf, size_t *len);
DIR *__real_opendir(const char *name);
int __real_scandir(const char *dir, struct dirent ***names, int (*sel)(const struct dirent *),
                   int (*cmp)(const struct dirent **, const struct dirent **));

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
char *__wrap_realpath(const char *path, char *resolved);
FILE *__wrap_open_memstream(char **buf, size_t *len);
DIR *__wrap_opendir(const char *name);
int __wrap_scandir(const char *dir, struct dirent ***names, int (*sel)(const struct dirent *),
                   int (*cmp)(const struct dirent **, const struct dirent **));

/* True when this allocation is the one to fail. */
static int fail_now(void)
{
    if (!atomic_load(&g_armed)) {
        return 0;
    }
    long n = atomic_fetch_add(&g_count, 1) + 1;
    if (n != atomic_load(&g_fail_at)) {
        return 0;
    }
    atomic_store(&g_injected, 1);
    if (g_trace) {
        void *frames[16];
        int k = backtrace(frames, 16);
        fprintf(stderr, "allocation %ld fails here:\n", n);
        backtrace_symbols_fd(frames, k, 2);
    }
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    return fail_now() ? -1 : __real_vasprintf(out, fmt, ap);
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
    if (fail_now()) {
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int rc = __real_vasprintf(out, fmt, ap);
    va_end(ap);
    return rc;
}

char *__wrap_realpath(const char *path, char *resolved)
{
    /* Only realpath(p, NULL) allocates. */
    return resolved == NULL && fail_now() ? NULL : __real_realpath(path, resolved);
}

FILE *__wrap_open_memstream(char **buf, size_t *len)
{
    return fail_now() ? NULL : __real_open_memstream(buf, len);
}

/* opendir and scandir allocate too (the DIR, the list of names). */
DIR *__wrap_opendir(const char *name)
{
    return fail_now() ? NULL : __real_opendir(name);
}

int __wrap_scandir(const char *dir, struct dirent ***names, int (*sel)(const struct dirent *),
                   int (*cmp)(const struct dirent **, const struct dirent **))
{
    return fail_now() ? -1 : __real_scandir(dir, names, sel, cmp);
}

/* ---- scenarios ---- */

/* The fixture every scenario shares: a source tree and what was built from
 * it with the shim off. */
typedef struct fixture {
    char *dir;           /* scratch directory, removed at the end */
    lp_manifest *py;     /* the Python tree as a manifest */
    lp_manifest *js;     /* the Node.js tree, with vendored directories */
    lp_manifest *chk;    /* the Python tree of the checks */
    lp_manifest *big;    /* more files than a summary lists one by one */
    lp_manifest *stored; /* the Python tree's second spec: level 0, directories */
    char *zip;           /* a ZIP of `py` */
    char *zip_stored;    /* a ZIP of `stored` */
    char *cache_dir;     /* the ZIP cache of the cache scenario */
    char *deps_cache;    /* the dependency cache (a fake pip installs) */
    char *deps_warm;     /* the same, kept warm: installs are cache hits */
    char *deps_req;      /* the requirements file they install */
    char *deps_wheels;   /* a find_links directory */
    char *out_dir;       /* where the ZIP-writing scenario writes */
    char *out;           /* out_dir/package.zip */
    unsigned char *old;  /* what `out` holds before each run */
    size_t old_len;
} fixture;

static fixture g_fx;

/* One run: 0 with *result (a malloc'd description compared across runs), or
 * the LP_E* code with err filled. */
typedef int (*run_fn)(char **result, lp_error *err);
/* Called after each run (shim off) with the run's code. */
typedef void (*after_fn)(int rc, const char *result);

typedef struct scenario {
    const char *name;
    run_fn run;
    after_fn after;   /* may be NULL */
    after_fn prepare; /* before each run; may be NULL (rc/result unused) */
} scenario;

/* A growing description: one line per appended fact. */
typedef struct desc {
    char *buf;
    size_t len;
    FILE *f;
} desc;

/* The description buffers are the test's own: made with the real
 * allocator, outside the count. */
static void desc_open(desc *d)
{
    d->buf = NULL;
    d->len = 0;
    int armed = atomic_exchange(&g_armed, 0);
    d->f = __real_open_memstream(&d->buf, &d->len);
    atomic_store(&g_armed, armed);
    assert_non_null(d->f);
}

static char *desc_close(desc *d)
{
    int armed = atomic_exchange(&g_armed, 0);
    fclose(d->f);
    atomic_store(&g_armed, armed);
    return d->buf;
}

static const char *spec_json =
    "{\"output_path\": \"out/package.zip\","
    " \"source\": ["
    "  {\"path\": \"py\", \"prefix\": \"shared/lib\", \"include\": [\"**/*.py\", \"*.txt\"],"
    "   \"exclude\": [\"tests/\"], \"content\": null, \"filename\": null},"
    "  {\"path\": null, \"content\": \"hello\\u0000world\", \"filename\": \"inline/hello.txt\"},"
    "  {\"path\": \"bad\", \"prefix\": \"../up\", \"include\": [\"[a-\"]}"
    " ],"
    " \"excludes\": [\"*.log\", \"!keep.log\"], \"default_excludes\": true,"
    " \"compression_level\": 7, \"directory_entries\": false,"
    " \"allow_external_symlinks\": false, \"runtime\": \"python3.12\","
    " \"handler\": \"app.handler\", \"external_modules\": [\"boto3\", \"yaml\"],"
    " \"strict_imports\": true, \"required_files\": [\"app.py\"],"
    " \"allow_sensitive_files\": [\"*.pem\"], \"architecture\": \"arm64\","
    " \"dependencies\": [{\"file\": \"requirements.txt\", \"prefix\": \"python\","
    "   \"index_url\": \"\", \"find_links\": [\"wheels\", \"more\"]}],"
    " \"content_hash\": \"computed\"}";

static void record_problem(void *payload, const lp_error *e)
{
    desc *d = payload;
    fprintf(d->f, "problem %d %d %s %s\n", e->code, e->source_index,
            e->field != NULL ? e->field : "-", e->message);
}

static int run_spec(char **result, lp_error *err)
{
    lp_spec_package *p = NULL;
    int rc = lp_spec_package_from_json(&p, spec_json, strlen(spec_json), "/base", err);
    if (rc < 0) {
        return rc;
    }
    desc d;
    desc_open(&d);
    fprintf(d.f, "out %s base %s level %d arch %s deps %zu\n", p->output_path, p->spec.base_dir,
            p->spec.level, p->architecture, p->n_dependencies);
    for (size_t i = 0; i < p->spec.n_sources; i++) {
        const lp_source *s = &p->spec.sources[i];
        fprintf(d.f, "source %zu %s %s %zu %zu %zu\n", i, s->path ? s->path : "-",
                s->prefix ? s->prefix : "-", s->n_include, s->n_exclude, s->content_len);
    }
    size_t n = lp_spec_validate(p, record_problem, &d);
    lp_spec_package_free(p);
    char *text = desc_close(&d);
    /* A problem of an allocation that failed inside a validator. */
    if (strstr(text, "problem -8 ") != NULL) {
        free(text);
        return lp_error_nomem(err);
    }
    if (n == 0) {
        free(text);
        return lp_error_set(err, LP_EINTERNAL, 0, -1, NULL, NULL, "the bad source passed");
    }
    *result = text;
    return 0;
}

static void describe_manifest(desc *d, const lp_manifest *m)
{
    fprintf(d->f, "hash %s files %zu size %llu\n", m->content_hash, m->n_files,
            (unsigned long long)m->unzipped_size);
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        fprintf(d->f, "%s %o %s %d\n", f->archive_path, (unsigned)f->mode, f->sha256_hex,
                f->source_index);
    }
}

/* The Python tree as three sources: a directory under a prefix with include
 * and exclude globs, one file, inline content; directory entries on. */
static int g_defer; /* build_py leaves path sources' hashes to lp_zip_build */

static int build_py(lp_manifest **m, int directory_entries, lp_error *err)
{
    const char *incl[] = {"**/*.py", "*.txt", ".env"};
    const char *excl[] = {"tests/", "ext.json"};
    const char *excludes[] = {"*.log"};
    lp_source src[3];
    memset(src, 0, sizeof(src));
    src[0].path = "py";
    src[0].prefix = "shared/lib";
    src[0].include = incl;
    src[0].n_include = 3;
    src[0].exclude = excl;
    src[0].n_exclude = 2;
    src[1].path = "extra/config.json";
    src[1].prefix = "conf";
    src[2].content = "print('inline')\n";
    src[2].content_len = strlen(src[2].content);
    src[2].filename = "inline/gen.py";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = src;
    spec.n_sources = 3;
    spec.excludes = excludes;
    spec.n_excludes = 1;
    spec.base_dir = g_fx.dir;
    spec.directory_entries = directory_entries;
    spec.threads = 1;
    spec.defer_hashes = g_defer;
    return lp_manifest_build(m, &spec, err);
}

/* The Python tree once more: the whole directory with gitignore-style
 * excludes (a `!` re-include), no default excludes, an output ZIP and its
 * temporary inside the source, a symlink leaving the source (allowed), two
 * hashing threads; stored, with directory entries. */
static int build_stored(lp_manifest **m, lp_error *err)
{
    const char *excludes[] = {"*.log", "!debug.log", "tests/"};
    lp_source src[1];
    memset(src, 0, sizeof(src));
    src[0].path = "py";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = src;
    spec.n_sources = 1;
    spec.excludes = excludes;
    spec.n_excludes = 3;
    spec.default_excludes = 0;
    spec.allow_external_symlinks = 1;
    spec.output_path = "py/out.zip";
    spec.base_dir = g_fx.dir;
    spec.directory_entries = 1;
    spec.level = 0;
    spec.threads = 2;
    return lp_manifest_build(m, &spec, err);
}

static int run_manifest(char **result, lp_error *err)
{
    lp_manifest *m = NULL, *m2 = NULL;
    int rc = build_py(&m, 1, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = build_stored(&m2, err)) < 0) {
        lp_manifest_free(m);
        return rc;
    }
    desc d;
    desc_open(&d);
    describe_manifest(&d, m);
    describe_manifest(&d, m2);
    lp_manifest_free(m);
    lp_manifest_free(m2);
    *result = desc_close(&d);
    return 0;
}

static int zip_write_into(const lp_manifest *m, int threads, char **result, lp_error *err)
{
    lp_zip_info info;
    int rc = lp_zip_write(m, g_fx.out, threads, &info, err);
    if (rc < 0) {
        return rc;
    }
    desc d;
    desc_open(&d);
    fprintf(d.f, "%s %s %llu\n", info.sha256_hex, info.base64sha256, (unsigned long long)info.size);
    *result = desc_close(&d);
    return 0;
}

static int run_zip_write(char **result, lp_error *err)
{
    return zip_write_into(g_fx.py, 1, result, err);
}

static int run_zip_write_stored(char **result, lp_error *err)
{
    return zip_write_into(g_fx.stored, 3, result, err);
}

/* The CLI's build: a manifest whose hashes the ZIP writer takes from the
 * bytes it packs. A failure leaves it pending; a success, complete. */
static int run_zip_build(char **result, lp_error *err)
{
    lp_manifest *m = NULL;
    g_defer = 1;
    int rc = build_py(&m, 0, err);
    g_defer = 0;
    if (rc < 0) {
        return rc;
    }
    lp_zip_info info;
    rc = lp_zip_build(m, g_fx.out, NULL, &info, err);
    assert_int_equal(lp_manifest_pending(m), rc < 0);
    if (rc == 0) {
        desc d;
        desc_open(&d);
        fprintf(d.f, "%s %s %llu\n", info.sha256_hex, info.base64sha256,
                (unsigned long long)info.size);
        describe_manifest(&d, m);
        *result = desc_close(&d);
    }
    lp_manifest_free(m);
    return rc;
}

static void prepare_zip_write(int rc, const char *result)
{
    (void)rc;
    (void)result;
    FILE *f = fopen(g_fx.out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(g_fx.old, 1, g_fx.old_len, f), g_fx.old_len);
    assert_int_equal(fclose(f), 0);
}

/* After a failure the previous ZIP is there, whole; after a success the new
 * one; and nothing else (no temporary, no spill file). */
static void after_zip_write(int rc, const char *result)
{
    (void)result;
    assert_int_equal(tu_count_entries(g_fx.out_dir), 1);
    size_t n = 0;
    unsigned char *now = tu_read(g_fx.out, &n);
    assert_non_null(now);
    if (rc < 0) {
        assert_int_equal(n, g_fx.old_len);
        assert_memory_equal(now, g_fx.old, n);
    } else {
        lp_zip_info info;
        lp_error e = LP_ERROR_INIT;
        assert_int_equal(lp_zip_hash_file(g_fx.out, &info, &e), 0);
        assert_non_null(strstr(result, info.sha256_hex));
    }
    free(now);
}

static int zip_read_into(desc *d, const char *zip, const lp_manifest *expected, lp_error *err)
{
    lp_manifest *m = NULL;
    lp_diff_list *diff = NULL;
    int rc = lp_zip_read_manifest(&m, zip, expected->level, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_manifest_diff(&diff, expected, m, err)) < 0) {
        lp_manifest_free(m);
        return rc;
    }
    describe_manifest(d, m);
    fprintf(d->f, "diff %zu\n", diff->n);
    lp_diff_list_free(diff);
    lp_manifest_free(m);
    return 0;
}

/* Reading both ZIPs back, each compared with a manifest that differs from
 * it (the other tree), so the diff has every kind of entry. */
static int run_zip_read(char **result, lp_error *err)
{
    desc d;
    desc_open(&d);
    int rc = zip_read_into(&d, g_fx.zip, g_fx.py, err);
    if (rc == 0) {
        rc = zip_read_into(&d, g_fx.zip_stored, g_fx.stored, err);
    }
    if (rc == 0) {
        rc = zip_read_into(&d, g_fx.zip_stored, g_fx.py, err);
    }
    char *text = desc_close(&d);
    if (rc < 0) {
        free(text);
        return rc;
    }
    *result = text;
    return 0;
}

/* The cache's round: store (build), store again (the entry verifies), look
 * up, install at the output. */
static int run_cache(char **result, lp_error *err)
{
    const char *key = g_fx.py->content_hash;
    lp_zip_info put, again, got, installed;
    int replaced = 0;
    int rc = lp_cache_put(g_fx.cache_dir, key, g_fx.py, 1, &put, &replaced, err);
    if (rc < 0 || (rc = lp_cache_put(g_fx.cache_dir, key, g_fx.py, 1, &again, NULL, err)) < 0 ||
        (rc = lp_cache_get(g_fx.cache_dir, key, &got, err)) < 0 ||
        (rc = lp_cache_install(g_fx.cache_dir, key, g_fx.out, put.sha256_hex, &installed, err)) <
            0) {
        return rc;
    }
    desc d;
    desc_open(&d);
    fprintf(d.f, "%s %s %s %s %d\n", put.sha256_hex, again.sha256_hex, got.sha256_hex,
            installed.sha256_hex, replaced);
    *result = desc_close(&d);
    return 0;
}

static void prepare_cache(int rc, const char *result)
{
    tu_rmtree(g_fx.cache_dir);
    prepare_zip_write(rc, result);
}

/* The output as after a ZIP write; the cache holds whole entries only. */
static void after_cache(int rc, const char *result)
{
    after_zip_write(rc, result);
    DIR *d = opendir(g_fx.cache_dir);
    if (d == NULL) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.' && strstr(de->d_name, ".tmp") != NULL) {
            fail_msg("cache scenario left '%s'", de->d_name);
        }
    }
    closedir(d);
}

/* A python3 on PATH that does what `pip install --target` does, for one
 * package; `-m pip --version` answers too. */
static const char fake_pip[] =
    "#!/bin/sh\n"
    "if [ \"$3\" = --version ]; then echo 'pip 99.0 from /x (python 3.12)'; exit 0; fi\n"
    "args=; skip=\n"
    "for a in \"$@\"; do if [ -n \"$skip\" ]; then skip=; continue; fi;"
    " if [ \"$a\" = --target ]; then skip=1; continue; fi; args=\"$args $a\"; done\n"
    "while [ $# -gt 0 ]; do [ \"$1\" = --target ] && t=$2; shift; done\n"
    "mkdir -p \"$t/pkg/sub\" \"$t/pkg-1.0.dist-info\" \"$t/pkg/__pycache__\"\n"
    "echo 'X = 1' >\"$t/pkg/__init__.py\"\n"
    "echo 'Y = 2' >\"$t/pkg/sub/mod.py\"\n"
    "{ echo \"$args\"; env | grep -E '^(PATH|HOME|LC_ALL|LANG|PIP_|PYTHON)' | sort; }"
    " >\"$t/pkg/run.txt\"\n"
    "echo junk >\"$t/pkg/__pycache__/__init__.cpython-312.pyc\"\n"
    "echo pip >\"$t/pkg-1.0.dist-info/INSTALLER\"\n"
    "echo 'Name: pkg' >\"$t/pkg-1.0.dist-info/METADATA\"\n"
    "printf '%s\\n' 'pkg-1.0.dist-info/INSTALLER,sha256=b,4' 'pkg-1.0.dist-info/METADATA,,' "
    "'pkg-1.0.dist-info/RECORD,,' 'pkg/__init__.py,sha256=f,6' 'pkg/sub/mod.py,,' "
    ">\"$t/pkg-1.0.dist-info/RECORD\"\n";

/* One file of an installed tree into d, "-" when absent (the test's own
 * reading: outside the count). */
static void describe_file(desc *d, const char *tree, const char *rel)
{
    int armed = atomic_exchange(&g_armed, 0);
    char *path = tu_path(tree, rel);
    size_t n = 0;
    unsigned char *text = tu_read(path, &n);
    fprintf(d->f, "%s:\n%.*s\n", rel, text != NULL ? (int)n : 1, text != NULL ? (char *)text : "-");
    free(text);
    free(path);
    atomic_store(&g_armed, armed);
}

/* Installs the requirements (a fake pip) as a package's dependencies under
 * "python/"; the building of the package is the manifest scenario's. */
static int deps_into(desc *d, const char *cache, lp_error *err)
{
    const char *find_links[] = {g_fx.deps_wheels};
    lp_dependency dep = {
        .file = g_fx.deps_req, .prefix = "python", .find_links = find_links, .n_find_links = 1};
    lp_deps_request common = LP_DEPS_REQUEST_INIT;
    common.runtime = "python3.12";
    common.cache_dir = cache;
    common.timeout_seconds = 60;
    lp_source src = {.content = "import pkg\n", .content_len = 11, .filename = "app.py"};
    lp_spec base = LP_SPEC_INIT;
    base.sources = &src;
    base.n_sources = 1;
    lp_deps_set *set = NULL;
    int rc = lp_deps_install_all(&set, &base, &dep, 1, &common, err);
    if (rc == 0) {
        const lp_deps_result *r = &set->results[0];
        fprintf(d->f, "files %zu key %s unpinned %d sources %zu %s\n", r->n_files, r->key,
                r->unpinned, set->spec.n_sources, set->spec.sources[1].prefix);
        describe_file(d, r->tree, "pkg/run.txt");
        describe_file(d, r->tree, "pkg-1.0.dist-info/RECORD");
        describe_file(d, r->tree, "pkg-1.0.dist-info/INSTALLER");
        describe_file(d, r->tree, "pkg/__pycache__/__init__.cpython-312.pyc");
    }
    lp_deps_set_free(set);
    return rc;
}

static int deps_result(int rc, desc *d, char **result)
{
    char *text = desc_close(d);
    if (rc < 0) {
        free(text);
        return rc;
    }
    *result = text;
    return 0;
}

static int run_deps_install(char **result, lp_error *err)
{
    desc d;
    desc_open(&d);
    int rc = deps_into(&d, g_fx.deps_cache, err);
    return deps_result(rc, &d, result);
}

static int run_deps_hit(char **result, lp_error *err)
{
    desc d;
    desc_open(&d);
    int rc = deps_into(&d, g_fx.deps_warm, err);
    return deps_result(rc, &d, result);
}

static void prepare_deps_install(int rc, const char *result)
{
    (void)rc;
    (void)result;
    tu_rmtree(g_fx.deps_cache);
}

/* Whatever happened, no half-installed tree stays in the cache. */
static void after_deps(const char *cache)
{
    DIR *d = opendir(cache);
    if (d == NULL) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, ".tmp", 4) == 0) {
            fail_msg("dependency cache '%s' keeps '%s'", cache, de->d_name);
        }
    }
    closedir(d);
}

static void after_deps_install(int rc, const char *result)
{
    (void)rc;
    (void)result;
    after_deps(g_fx.deps_cache);
}

static void after_deps_hit(int rc, const char *result)
{
    (void)rc;
    (void)result;
    after_deps(g_fx.deps_warm);
}

/* Removing the output: kept when it is not the recorded ZIP, removed when
 * it is. A hash that cannot be taken keeps the file (a warning, code
 * LP_ENOMEM), which is the run's error here. */
static int run_output(char **result, lp_error *err)
{
    lp_zip_info info;
    lp_output_removal kept, removed;
    lp_error warn = LP_ERROR_INIT;
    int rc = lp_zip_hash_file(g_fx.out, &info, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_output_remove(g_fx.out, "00", &kept, &warn)) < 0) {
        *err = warn;
        return rc;
    }
    if (warn.code == LP_ENOMEM) {
        *err = warn;
        return kept == LP_OUTPUT_KEPT ? LP_ENOMEM : LP_EINTERNAL;
    }
    lp_error_clear(&warn);
    if ((rc = lp_output_remove(g_fx.out, info.sha256_hex, &removed, &warn)) < 0) {
        *err = warn;
        return rc;
    }
    if (warn.code == LP_ENOMEM) {
        *err = warn;
        return removed == LP_OUTPUT_KEPT ? LP_ENOMEM : LP_EINTERNAL;
    }
    desc d;
    desc_open(&d);
    fprintf(d.f, "%d %d\n", (int)kept, (int)removed);
    *result = desc_close(&d);
    return 0;
}

/* Failed: the ZIP is still there, whole; else it is gone. */
static void after_output(int rc, const char *result)
{
    (void)result;
    size_t n = 0;
    unsigned char *now = tu_read(g_fx.out, &n);
    if (rc < 0) {
        assert_non_null(now);
        assert_int_equal(n, g_fx.old_len);
        assert_memory_equal(now, g_fx.old, n);
    } else {
        assert_null(now);
    }
    free(now);
}

static void describe_report(desc *d, const lp_check_report *r)
{
    fprintf(d->f, "findings %zu\n", r->n);
    for (size_t i = 0; i < r->n; i++) {
        const lp_check_finding *f = &r->items[i];
        fprintf(d->f, "%d %s %d %s:%d | %s | %s\n", (int)f->severity,
                f->field != NULL ? f->field : "-", f->index,
                f->archive_path != NULL ? f->archive_path : "-", f->line, f->summary, f->detail);
    }
}

/* One check run, described into d; LP_E* when the checker failed. */
static int check_into(desc *d, const lp_manifest *m, const lp_check_options *o, lp_error *err)
{
    lp_check_report *r = NULL;
    int rc = lp_check_run(&r, m, o, err);
    if (rc < 0) {
        return rc;
    }
    if (lp_check_zip_size(r, 60ull << 20) < 0) {
        lp_check_report_free(r);
        return lp_error_nomem(err);
    }
    describe_report(d, r);
    lp_check_report_free(r);
    return 0;
}

/* The Python checks with handlers that resolve, miss their module or their
 * function; the Node.js checks likewise. */
static int run_checks(char **result, lp_error *err)
{
    const char *external[] = {"yaml", "app"};
    const char *required[] = {"app.py", "missing.txt"};
    const char *allowed[] = {"*.pem"};
    struct {
        const lp_manifest *m;
        const char *runtime, *handler;
    } runs[] = {
        {g_fx.chk, "python3.12", "app.handler"},
        {g_fx.chk, "python3.9", "svc/api.main"},
        {g_fx.chk, "python3.12", "nothere.handler"},
        {g_fx.chk, "python3.12", "pkg.mod.nofunc"},
        {g_fx.chk, "python3.12", "pkg/sub/deep.handler"},
        {g_fx.js, "nodejs20.x", "index.handler"},
        {g_fx.js, "nodejs18.x", "lib/util.notexported"},
        {g_fx.js, "nodejs20.x", "missing.handler"},
        {g_fx.js, "python3.12", "yaml.handler"},
    };
    desc d;
    desc_open(&d);
    int rc = 0;
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]) && rc == 0; i++) {
        lp_check_options o = LP_CHECK_OPTIONS_INIT;
        o.runtime = runs[i].runtime;
        o.handler = runs[i].handler;
        o.external_modules = external;
        o.n_external_modules = 2;
        o.required_files = required;
        o.n_required_files = 2;
        o.allow_sensitive_files = allowed;
        o.n_allow_sensitive_files = 1;
        o.strict_imports = (int)(i % 2);
        rc = check_into(&d, runs[i].m, &o, err);
    }
    char *text = desc_close(&d);
    if (rc < 0) {
        free(text);
        return rc;
    }
    *result = text;
    return 0;
}

static int summary_into(desc *d, const lp_manifest *m, lp_error *err)
{
    lp_summary *s = NULL;
    int rc = lp_summary_build(&s, m, err);
    if (rc < 0) {
        return rc;
    }
    fprintf(d->f, "entries %zu\n", s->n);
    for (size_t i = 0; i < s->n; i++) {
        fprintf(d->f, "%s %s %zu\n", s->items[i].key, s->items[i].sha256_hex, s->items[i].n_files);
    }
    lp_summary_free(s);
    return 0;
}

static int run_summary(char **result, lp_error *err)
{
    desc d;
    desc_open(&d);
    int rc = summary_into(&d, g_fx.js, err);
    if (rc == 0) {
        rc = summary_into(&d, g_fx.chk, err);
    }
    if (rc == 0) {
        rc = summary_into(&d, g_fx.big, err);
    }
    char *text = desc_close(&d);
    if (rc < 0) {
        free(text);
        return rc;
    }
    *result = text;
    return 0;
}

/* ---- the driver ---- */

static int run_once(const scenario *sc, long fail_at, char **result, lp_error *err)
{
    if (sc->prepare != NULL) {
        sc->prepare(0, NULL);
    }
    lp_memo_clear(); /* every run starts from the same state */
    lp_error_clear(err);
    *result = NULL;
    atomic_store(&g_count, 0);
    atomic_store(&g_injected, 0);
    atomic_store(&g_fail_at, fail_at);
    atomic_store(&g_armed, 1);
    int rc = sc->run(result, err);
    atomic_store(&g_armed, 0);
    if (sc->after != NULL) {
        sc->after(rc, *result);
    }
    return rc;
}

/* Prints the first line where a run's result leaves the reference's. */
static void first_difference(const char *res, const char *ref)
{
    if (res == NULL) {
        fprintf(stderr, "no result\n");
        return;
    }
    size_t line = 1, start = 0;
    for (size_t i = 0; res[i] == ref[i] && res[i] != '\0'; i++) {
        if (res[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    const char *a = res + start, *b = ref + start;
    fprintf(stderr, "line %zu differs:\n  got:  %.*s\n  want: %.*s\n", line, (int)strcspn(a, "\n"),
            a, (int)strcspn(b, "\n"), b);
}

/* The next allocation to fail after k, or 0 when done. */
static long next_fail(long k, long total)
{
    if (total <= AF_EVERY || k < AF_EVERY) {
        return k < total ? k + 1 : 0;
    }
    long step = (total - AF_EVERY + AF_STRIDED - 1) / AF_STRIDED;
    long next = k + (step > 0 ? step : 1);
    if (next > total) {
        return k < total ? total : 0;
    }
    return next;
}

static void torture(const scenario *sc)
{
    char *ref = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = run_once(sc, 0, &ref, &err);
    if (rc != 0) {
        fail_msg("%s: the reference run fails: %d %s", sc->name, rc, err.message);
    }
    long total = atomic_load(&g_count);
    if (g_trace) {
        fprintf(stderr, "%s: reference result:\n%s\n", sc->name, ref);
    }
    assert_true(total > 0);
    long runs = 0, failed = 0, tolerated = 0;
    for (long k = next_fail(0, total); k != 0; k = next_fail(k, total)) {
        char *res = NULL;
        rc = run_once(sc, k, &res, &err);
        int injected = atomic_load(&g_injected);
        runs++;
        if (!injected || rc == 0) {
            /* Not reached this time (threads), or absorbed by a cache:
             * the result must be the reference's. */
            if (rc != 0 || strcmp(res, ref) != 0) {
                first_difference(res, ref);
                free(res);
                free(ref); /* fail_msg does not return */
                fail_msg("%s: failing allocation %ld of %ld: rc %d (%s), the result differs "
                         "from the reference run's",
                         sc->name, k, total, rc, err.message);
            }
            tolerated += injected;
            if (injected && g_trace) {
                fprintf(stderr, "%s: allocation %ld absorbed\n", sc->name, k);
            }
        } else {
            failed++;
            if (rc != LP_ENOMEM || err.code != LP_ENOMEM || strcmp(err.message, "") == 0) {
                free(res);
                free(ref);
                fail_msg("%s: failing allocation %ld of %ld gives %d (err.code %d): %s", sc->name,
                         k, total, rc, err.code, err.message);
            }
        }
        free(res);
    }
    free(ref);
#ifdef AF_LSAN
    if (__lsan_do_recoverable_leak_check() != 0) {
        fail_msg("%s: a run leaked (LeakSanitizer's report above names the allocation)", sc->name);
    }
#endif
    printf("%s: %ld allocations, %ld runs (%s), %ld failed with LP_ENOMEM, %ld absorbed\n",
           sc->name, total, runs, total <= AF_EVERY ? "every allocation" : "first and strided",
           failed, tolerated);
}

static void spec_parsing_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"spec", run_spec, NULL, NULL};
    torture(&sc);
}

static void select_and_manifest_survive_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"manifest", run_manifest, NULL, NULL};
    torture(&sc);
}

static void zip_write_survives_every_allocation_failure_and_keeps_the_old_zip(void **state)
{
    (void)state;
    scenario sc = {"zip_write", run_zip_write, after_zip_write, prepare_zip_write};
    torture(&sc);
}

static void stored_zip_write_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"zip_write_stored", run_zip_write_stored, after_zip_write, prepare_zip_write};
    torture(&sc);
}

static void cache_survives_every_allocation_failure_and_keeps_the_old_zip(void **state)
{
    (void)state;
    scenario sc = {"cache", run_cache, after_cache, prepare_cache};
    torture(&sc);
}

static void output_removal_keeps_the_zip_when_an_allocation_fails(void **state)
{
    (void)state;
    scenario sc = {"output", run_output, after_output, prepare_zip_write};
    torture(&sc);
}

static void dependency_install_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"deps_install", run_deps_install, after_deps_install, prepare_deps_install};
    torture(&sc);
}

static void dependency_cache_hit_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"deps_hit", run_deps_hit, after_deps_hit, NULL};
    torture(&sc);
}

static void zip_write_from_the_store_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_non_null(lp_store_default());
    scenario sc = {"zip_write_store", run_zip_write, after_zip_write, prepare_zip_write};
    torture(&sc);
}

static void deferred_zip_build_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"zip_build", run_zip_build, after_zip_write, prepare_zip_write};
    torture(&sc);
}

static void deferred_zip_build_with_the_store_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_non_null(lp_store_default());
    scenario sc = {"zip_build_store", run_zip_build, after_zip_write, prepare_zip_write};
    torture(&sc);
}

static void zip_read_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"zip_read", run_zip_read, NULL, NULL};
    torture(&sc);
}

static void checks_survive_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"checks", run_checks, NULL, NULL};
    torture(&sc);
}

static void summary_survives_every_allocation_failure(void **state)
{
    (void)state;
    scenario sc = {"summary", run_summary, NULL, NULL};
    torture(&sc);
}

/* ---- fixture ---- */

/* A module big enough that the scanner's and the checker's arrays grow:
 * many imports, names, definitions, guards and blocks, a package of twenty
 * modules it imports, twenty unknown modules, and a distribution naming
 * twenty top-level modules. */
static void write_many(const char *dir)
{
    char *text = malloc(64 * 1024);
    assert_non_null(text);
    size_t n = 0;
    n += (size_t)sprintf(text + n, "import json, os, sys, re, io, abc, ast, csv, math, time\n");
    n += (size_t)sprintf(text + n, "from os.path import (join, dirname, basename, exists, isdir,\n"
                                   "    isfile, splitext, abspath, relpath, normpath, realpath,\n"
                                   "    expanduser, getsize, getmtime, commonpath, sep, curdir)\n");
    n += (size_t)sprintf(text + n, "from pkg2 import (");
    for (int i = 0; i < 20; i++) {
        n += (size_t)sprintf(text + n, "m%d%s", i, i < 19 ? ", " : ")\n");
    }
    for (int i = 0; i < 20; i++) {
        n += (size_t)sprintf(
            text + n, "try:\n    import opt%d\nexcept ImportError:\n    opt%d = None\n", i, i);
        n += (size_t)sprintf(text + n, "import unknown_mod_%d\n", i);
    }
    for (int i = 0; i < 40; i++) {
        n += (size_t)sprintf(text + n,
                             "\n\nclass C%d:\n    def m(self):\n        if self:\n"
                             "            import lazy%d\n        return %d\n\n\n"
                             "def f%d(x=[1, 2, {'a': (3, 4)}]):\n    return x\n\n\nv%d = %d\n",
                             i, i, i, i, i, i);
    }
    tu_write_bytes(dir, "chk/many.py", text, n, 0644);
    tu_write(dir, "chk/pkg2/__init__.py", "", 0644);
    for (int i = 0; i < 20; i++) {
        char rel[64], body[64];
        snprintf(rel, sizeof(rel), "chk/pkg2/m%d.py", i);
        snprintf(body, sizeof(body), "from . import m%d\nimport many\n", (i + 1) % 20);
        tu_write(dir, rel, body, 0644);
    }
    n = 0;
    for (int i = 0; i < 20; i++) {
        n += (size_t)sprintf(text + n, "top%d\n", i);
    }
    tu_write_bytes(dir, "chk/Many-1.0.dist-info/top_level.txt", text, n, 0644);
    tu_write(dir, "chk/Many-1.0.dist-info/RECORD", "top0/__init__.py,,\n", 0644);
    free(text);
}

static void write_trees(const char *dir)
{
    tu_write(dir, "py/app.py",
             "import json\nimport os\nfrom shared.lib.pkg import mod\nfrom .pkg.sub import deep\n"
             "import yaml\nimport not_installed\n\n\ndef handler(event, context):\n"
             "    return mod.f(event)\n",
             0644);
    tu_write(dir, "py/pkg/__init__.py", "from .mod import f\n", 0644);
    tu_write(dir, "py/pkg/mod.py", "from . import sub\n\n\ndef f(e):\n    return e\n", 0644);
    tu_write(dir, "py/pkg/sub/__init__.py", "", 0644);
    tu_write(dir, "py/pkg/sub/deep.py", "from ..mod import f\nfrom ... import app\n", 0755);
    tu_write(dir, "py/tests/test_app.py", "import app\n", 0644);
    tu_write(dir, "py/notes.txt", "notes\n", 0644);
    tu_write(dir, "py/debug.log", "log\n", 0644);
    tu_write(dir, "py/.env", "SECRET=1\n", 0644);
    tu_write(dir, "py/pkg/__pycache__/mod.cpython-312.pyc", "x", 0644);
    tu_write(dir, "extra/config.json", "{\"a\": 1}\n", 0644);
    tu_write(dir, "py/out.zip", "PK\005\006", 0644);
    tu_write(dir, "py/out.zip.Ab12Cd.tmp", "partial", 0644);
    char *ext = tu_path(dir, "py/ext.json");
    assert_int_equal(symlink("../extra/config.json", ext), 0);
    free(ext);
    /* Text that takes several deflate blocks. */
    enum { WORDS = 40000 };
    static const char *const words[] = {"lambda", "package", "zip",      "deflate", "handler",
                                        "import", "source",  "manifest", "hash",    "layer"};
    char *text = malloc(WORDS * 10);
    assert_non_null(text);
    size_t len = 0;
    uint32_t x = 12345;
    for (int i = 0; i < WORDS; i++) {
        x = x * 1103515245u + 12345u;
        len += (size_t)sprintf(text + len, "%s%c", words[(x >> 16) % 10], (x & 0x800) ? '\n' : ' ');
    }
    tu_write_bytes(dir, "py/data.txt", text, len, 0644);
    free(text);
    char *link = tu_path(dir, "py/alias.py");
    assert_int_equal(symlink("pkg/mod.py", link), 0);
    free(link);

    tu_write(dir, "js/index.js",
             "const util = require('./lib/util');\nconst left = require('left-pad');\n"
             "exports.handler = async (event) => util.go(left(event));\n",
             0644);
    tu_write(dir, "js/lib/util.js", "module.exports = { go: (e) => e };\n", 0644);
    tu_write(dir, "js/node_modules/left-pad/package.json", "{\"name\": \"left-pad\"}\n", 0644);
    tu_write(dir, "js/node_modules/left-pad/index.js", "module.exports = (s) => s;\n", 0644);
    tu_write(dir, "js/PyYAML-6.0.dist-info/RECORD", "yaml/__init__.py,,\n", 0644);
    tu_write(dir, "js/PyYAML-6.0.dist-info/top_level.txt", "yaml\n", 0644);
    tu_write(dir, "js/yaml/__init__.py", "", 0644);

    tu_write(dir, "chk/app.py",
             "import json\nimport os\nimport boto3\nfrom pkg import mod\nfrom pkg import nosub\n"
             "from pkg.mod import f, g_missing\nimport pkg.sub.deep as deep\nimport ns.thing\n"
             "import pkg._speedups\nimport yaml\nimport not_installed\nimport requests\n"
             "import mod.inner\nimport many\ntry:\n    import ujson\nexcept ImportError:\n    "
             "ujson = None\n\n\n"
             "def later():\n    import lazy_missing\n\n\nif __name__ == '__main__':\n"
             "    import argparse\n    import local_only\n\n\ndef handler(event, context):\n"
             "    return mod.f(event)\n",
             0644);
    tu_write(dir, "chk/mod.py", "x = 1\n", 0644);
    tu_write(dir, "chk/pkg/__init__.py", "from .mod import f\nfrom . import sub\n", 0644);
    tu_write(dir, "chk/pkg/mod.py",
             "from .sub import deep\nfrom ..outside import y\n\n\ndef f(e):\n"
             "    return e\n",
             0644);
    tu_write(dir, "chk/pkg/sub/__init__.py", "from .. import mod\n", 0644);
    tu_write(dir, "chk/pkg/sub/deep.py",
             "from ..mod import f\nfrom ... import app\nfrom .missing_rel import z\n"
             "from pkg.sub import deep as again\n\n\nhandler = f\n",
             0644);
    tu_write(dir, "chk/pkg/_speedups.cpython-312-x86_64-linux-gnu.so", "\177ELF", 0755);
    tu_write(dir, "chk/ns/thing.py", "import pkg\n", 0644);
    tu_write(dir, "chk/svc/api.py", "from pkg import mod\n\n\nasync def main(e, c):\n    pass\n",
             0644);
    tu_write(dir, "chk/requirements.txt", "requests==2.31\nnot-installed>=1\n", 0644);
    tu_write(dir, "chk/yaml/__init__.py", "", 0644);
    tu_write(dir, "chk/PyYAML-6.0.dist-info/RECORD", "yaml/__init__.py,,\n", 0644);
    tu_write(dir, "chk/.env", "SECRET=1\n", 0644);
    tu_write(dir, "chk/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n", 0600);
    tu_write(dir, "chk/server.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    write_many(dir);
}

/* A manifest of inline files, more than LP_SUMMARY_MAX_ENTRIES, in
 * first-party directories two deep. */
static lp_manifest *make_big(void)
{
    enum { N = LP_SUMMARY_MAX_ENTRIES + 200 };
    lp_source *src = calloc(N, sizeof(*src));
    char(*names)[64] = calloc(N, sizeof(*names));
    assert_non_null(src);
    assert_non_null(names);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "d%02d/e%d/f%d.py", i % 40, i % 7, i);
        src[i].content = names[i];
        src[i].content_len = strlen(names[i]);
        src[i].filename = names[i];
    }
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = src;
    spec.n_sources = N;
    spec.threads = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    free(names);
    free(src);
    return m;
}

static int setup(void **state)
{
    (void)state;
    g_fx.dir = tu_mkdtemp();
    if (!g_store) {
        lp_store_disable(); /* a process-wide cache: runs must not share it */
    } else {
        /* The store group: ZIPs made from the store the fixture fills. */
        char *store = tu_path(g_fx.dir, "store");
        setenv("LAMBDAPACK_STORE_DIR", store, 1);
        free(store);
    }
    if (getenv("LAMBDAPACK_CACHE_KEY_FILE") == NULL) {
        char *key = tu_path(g_fx.dir, "cache-key"); /* never the user's */
        setenv("LAMBDAPACK_CACHE_KEY_FILE", key, 1);
        free(key);
    }
    write_trees(g_fx.dir);
    lp_error err = LP_ERROR_INIT;
    if (build_py(&g_fx.py, 0, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    char *js = tu_path(g_fx.dir, "js");
    if (tu_build_dir(&g_fx.js, js, NULL, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    free(js);
    char *chk = tu_path(g_fx.dir, "chk");
    if (tu_build_dir(&g_fx.chk, chk, NULL, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    free(chk);
    g_fx.big = make_big();
    g_fx.zip = tu_path(g_fx.dir, "py.zip");
    if (lp_zip_write(g_fx.py, g_fx.zip, 1, NULL, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    if (build_stored(&g_fx.stored, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    g_fx.zip_stored = tu_path(g_fx.dir, "stored.zip");
    if (lp_zip_write(g_fx.stored, g_fx.zip_stored, 2, NULL, &err) != 0) {
        fail_msg("fixture: %s", err.message);
    }
    g_fx.cache_dir = tu_path(g_fx.dir, "cache");
    g_fx.deps_cache = tu_path(g_fx.dir, "deps-cache");
    g_fx.deps_warm = tu_path(g_fx.dir, "deps-warm");
    g_fx.deps_req = tu_path(g_fx.dir, "deps/requirements.txt");
    g_fx.deps_wheels = tu_path(g_fx.dir, "deps/wheels");
    tu_write(g_fx.dir, "deps/wheels/pkg-1.0-py3-none-any.whl", "PK\005\006", 0644);
    tu_write(g_fx.dir, "bin/python3", fake_pip, 0755);
    tu_write(g_fx.dir, "deps/requirements.txt",
             "pkg==1.0 \\\n    --hash=sha256:"
             "0000000000000000000000000000000000000000000000000000000000000000\n",
             0644);
    const char *path = getenv("PATH");
    char *bin = tu_path(g_fx.dir, "bin");
    char *newpath = tu_path(bin, path != NULL ? path : "/usr/bin:/bin");
    newpath[strlen(bin)] = ':'; /* bin + ":" + PATH */
    setenv("PATH", newpath, 1);
    free(newpath);
    free(bin);
    if (g_deps) {
        desc warm;
        desc_open(&warm);
        if (deps_into(&warm, g_fx.deps_warm, &err) != 0) {
            fail_msg("fixture: %s", err.message);
        }
        free(desc_close(&warm));
    }
    g_fx.out_dir = tu_path(g_fx.dir, "out");
    tu_mkdirs(g_fx.dir, "out");
    g_fx.out = tu_path(g_fx.out_dir, "package.zip");
    g_fx.old = tu_read(g_fx.zip, &g_fx.old_len);
    assert_non_null(g_fx.old);
    g_fx.old[g_fx.old_len - 1] ^= 1; /* not the bytes the scenario writes */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lp_manifest_free(g_fx.py);
    lp_manifest_free(g_fx.js);
    lp_manifest_free(g_fx.chk);
    lp_manifest_free(g_fx.big);
    free(g_fx.old);
    free(g_fx.out);
    free(g_fx.out_dir);
    free(g_fx.zip);
    free(g_fx.zip_stored);
    free(g_fx.cache_dir);
    free(g_fx.deps_cache);
    free(g_fx.deps_warm);
    free(g_fx.deps_req);
    free(g_fx.deps_wheels);
    lp_manifest_free(g_fx.stored);
    tu_rmtree(g_fx.dir);
    free(g_fx.dir);
    lp_memo_clear();
    return 0;
}

/* LP_ALLOCFAIL_GROUP=core or deps runs half (ctest runs both at once: the
 * dependency scenarios spend their time starting the fake pip); unset, both.
 * LP_ALLOCFAIL_GROUP=store runs the ZIP writer with the store on. */
int main(void)
{
    const char *trace = getenv("LP_ALLOCFAIL_TRACE");
    const char *group = getenv("LP_ALLOCFAIL_GROUP");
    g_trace = trace != NULL && strcmp(trace, "1") == 0;
    const struct CMUnitTest core[] = {
        cmocka_unit_test(spec_parsing_survives_every_allocation_failure),
        cmocka_unit_test(select_and_manifest_survive_every_allocation_failure),
        cmocka_unit_test(zip_write_survives_every_allocation_failure_and_keeps_the_old_zip),
        cmocka_unit_test(stored_zip_write_survives_every_allocation_failure),
        cmocka_unit_test(deferred_zip_build_survives_every_allocation_failure),
        cmocka_unit_test(zip_read_survives_every_allocation_failure),
        cmocka_unit_test(cache_survives_every_allocation_failure_and_keeps_the_old_zip),
        cmocka_unit_test(output_removal_keeps_the_zip_when_an_allocation_fails),
        cmocka_unit_test(checks_survive_every_allocation_failure),
        cmocka_unit_test(summary_survives_every_allocation_failure),
    };
    const struct CMUnitTest deps[] = {
        cmocka_unit_test(dependency_install_survives_every_allocation_failure),
        cmocka_unit_test(dependency_cache_hit_survives_every_allocation_failure),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(zip_write_from_the_store_survives_every_allocation_failure),
        cmocka_unit_test(deferred_zip_build_with_the_store_survives_every_allocation_failure),
    };
    if (group != NULL && strcmp(group, "store") == 0) {
        g_store = 1; /* a process opens its store once: a run of its own */
        g_deps = 0;
        return cmocka_run_group_tests(store, setup, teardown);
    }
    int rc = 0;
    g_deps = group == NULL || strcmp(group, "deps") == 0;
    if (group == NULL || strcmp(group, "deps") != 0) {
        rc |= cmocka_run_group_tests(core, setup, teardown);
    }
    if (group == NULL || strcmp(group, "core") != 0) {
        rc |= cmocka_run_group_tests(deps, setup, teardown);
    }
    return rc;
}
