/*
 * lambdapack: the command-line face of the packager library.
 *
 *   lambdapack build -o OUT.zip [options] SOURCE...
 *   lambdapack manifest [--json] [options] SOURCE...
 *   lambdapack verify ZIP [--against SOURCE...]
 *   lambdapack diff A.zip B.zip
 *
 * SOURCE is DIR, FILE or DIR=PREFIX. Exit codes: 0 success/match, 1
 * differences found, 2 error. This file only parses arguments and prints;
 * packaging logic belongs to the library.
 */
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_zip.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXIT_DIFF 1
#define EXIT_ERR 2

typedef struct cli_opts {
    const char *output;
    const char **excludes;
    size_t n_excludes;
    const char **includes;
    size_t n_includes;
    int default_excludes;
    int level;
    int threads;
    int json;
    int directory_entries;
    int allow_external_symlinks;
    lp_source *sources;
    size_t n_sources;
    char **owned; /* strings split from DIR=PREFIX, freed at exit */
    size_t n_owned;
    lp_dependency *deps; /* --requirements / --npm-lock, in order */
    size_t n_deps;
    char **deps_owned;
    const char *runtime;
    const char *architecture;
    const char *index_url; /* NULL unless --index-url; "" = no index */
    const char **find_links;
    size_t n_find_links;
} cli_opts;

static void opts_free(cli_opts *o)
{
    for (size_t i = 0; i < o->n_owned; i++) {
        free(o->owned[i]);
    }
    free(o->owned);
    for (size_t i = 0; i < o->n_deps; i++) {
        free(o->deps_owned[i]);
    }
    free(o->deps_owned);
    free(o->deps);
    free(o->find_links);
    free(o->sources);
    free(o->excludes);
    free(o->includes);
}

static int fail(const lp_error *err)
{
    fprintf(stderr, "lambdapack: %s\n", err->message[0] != '\0' ? err->message : "error");
    return EXIT_ERR;
}

static int push(const char ***arr, size_t *n, const char *s)
{
    const char **g = realloc(*arr, (*n + 1) * sizeof(*g));
    if (g == NULL) {
        return -1;
    }
    g[(*n)++] = s;
    *arr = g;
    return 0;
}

/* Parses SOURCE arguments (DIR, FILE or DIR=PREFIX) into o->sources. */
static int parse_sources(cli_opts *o, int argc, char **argv)
{
    if (argc <= 0 && o->n_deps == 0) {
        fprintf(stderr, "lambdapack: no SOURCE given (try --help)\n");
        return -1;
    }
    o->sources = calloc((size_t)argc + 1, sizeof(*o->sources));
    o->owned = calloc((size_t)argc + 1, sizeof(*o->owned));
    if (o->sources == NULL || o->owned == NULL) {
        fprintf(stderr, "lambdapack: out of memory\n");
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        lp_source *s = &o->sources[o->n_sources++];
        const char *eq = strchr(argv[i], '=');
        if (eq != NULL && access(argv[i], F_OK) != 0) {
            char *path = strndup(argv[i], (size_t)(eq - argv[i]));
            if (path == NULL) {
                fprintf(stderr, "lambdapack: out of memory\n");
                return -1;
            }
            o->owned[o->n_owned++] = path;
            s->path = path;
            s->prefix = eq + 1;
        } else {
            s->path = argv[i];
        }
        s->include = o->includes;
        s->n_include = o->n_includes;
    }
    return 0;
}

enum {
    OPT_EXCLUDE = 256,
    OPT_INCLUDE,
    OPT_NO_DEFAULT,
    OPT_LEVEL,
    OPT_THREADS,
    OPT_JSON,
    OPT_DIRS,
    OPT_EXTERNAL,
    OPT_AGAINST,
    OPT_REQUIREMENTS,
    OPT_NPM_LOCK,
    OPT_RUNTIME,
    OPT_ARCH,
    OPT_INDEX_URL,
    OPT_FIND_LINKS
};

static const struct option build_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"no-default-excludes", no_argument, NULL, OPT_NO_DEFAULT},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"json", no_argument, NULL, OPT_JSON},
    {"directory-entries", no_argument, NULL, OPT_DIRS},
    {"allow-external-symlinks", no_argument, NULL, OPT_EXTERNAL},
    {"against", no_argument, NULL, OPT_AGAINST},
    {"requirements", required_argument, NULL, OPT_REQUIREMENTS},
    {"npm-lock", required_argument, NULL, OPT_NPM_LOCK},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"architecture", required_argument, NULL, OPT_ARCH},
    {"index-url", required_argument, NULL, OPT_INDEX_URL},
    {"find-links", required_argument, NULL, OPT_FIND_LINKS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_int(const char *s, int lo, int hi, const char *what, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "lambdapack: invalid %s '%s' (expected %d-%d)\n", what, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Adds a --requirements/--npm-lock FILE[=PREFIX] (a FILE that exists with
 * the '=' in its name is taken whole). */
static int push_dependency(cli_opts *o, const char *arg, lp_deps_tool want, const char *opt)
{
    lp_dependency *d = realloc(o->deps, (o->n_deps + 1) * sizeof(*d));
    char **owned = d != NULL ? realloc(o->deps_owned, (o->n_deps + 1) * sizeof(*owned)) : NULL;
    if (d != NULL) {
        o->deps = d;
    }
    if (owned == NULL) {
        fprintf(stderr, "lambdapack: out of memory\n");
        return -1;
    }
    o->deps_owned = owned;
    const char *eq = strrchr(arg, '=');
    char *file =
        eq != NULL && access(arg, F_OK) != 0 ? strndup(arg, (size_t)(eq - arg)) : strdup(arg);
    if (file == NULL) {
        fprintf(stderr, "lambdapack: out of memory\n");
        return -1;
    }
    o->deps_owned[o->n_deps] = file;
    memset(&o->deps[o->n_deps], 0, sizeof(o->deps[0]));
    o->deps[o->n_deps].file = file;
    o->deps[o->n_deps].prefix = eq != NULL && access(arg, F_OK) != 0 ? eq + 1 : NULL;
    o->n_deps++;
    if (lp_deps_tool_for(file) != want) {
        fprintf(stderr, "lambdapack: %s takes %s, not '%s'\n", opt,
                want == LP_DEPS_PIP ? "a pip requirements*.txt file" : "a package-lock.json", file);
        return -1;
    }
    return 0;
}

/* Parses options shared by build/manifest/verify; returns the index of the
 * first positional argument, -1 on error, -2 for --help. */
static int parse_options(cli_opts *o, int argc, char **argv, int *against)
{
    int c;
    o->default_excludes = 1;
    o->level = 6;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", build_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_EXCLUDE:
            if (push(&o->excludes, &o->n_excludes, optarg) < 0) {
                return -1;
            }
            break;
        case OPT_INCLUDE:
            if (push(&o->includes, &o->n_includes, optarg) < 0) {
                return -1;
            }
            break;
        case OPT_NO_DEFAULT:
            o->default_excludes = 0;
            break;
        case OPT_LEVEL:
            if (parse_int(optarg, 0, 9, "level", &o->level) < 0) {
                return -1;
            }
            break;
        case OPT_THREADS:
            if (parse_int(optarg, 0, 64, "thread count", &o->threads) < 0) {
                return -1;
            }
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_DIRS:
            o->directory_entries = 1;
            break;
        case OPT_EXTERNAL:
            o->allow_external_symlinks = 1;
            break;
        case OPT_AGAINST:
            if (against == NULL) {
                fprintf(stderr, "lambdapack: --against only applies to verify\n");
                return -1;
            }
            *against = 1;
            break;
        case OPT_REQUIREMENTS:
        case OPT_NPM_LOCK:
            if (push_dependency(o, optarg, c == OPT_NPM_LOCK ? LP_DEPS_NPM : LP_DEPS_PIP,
                                c == OPT_NPM_LOCK ? "--npm-lock" : "--requirements") < 0) {
                return -1;
            }
            break;
        case OPT_RUNTIME:
            o->runtime = optarg;
            break;
        case OPT_ARCH:
            o->architecture = optarg;
            break;
        case OPT_INDEX_URL:
            o->index_url = optarg;
            break;
        case OPT_FIND_LINKS:
            if (push(&o->find_links, &o->n_find_links, optarg) < 0) {
                return -1;
            }
            break;
        case 'h':
            return -2;
        default:
            return -1;
        }
    }
    for (size_t i = 0; i < o->n_deps; i++) {
        o->deps[i].index_url = o->index_url;
        o->deps[i].find_links = o->find_links;
        o->deps[i].n_find_links = o->n_find_links;
    }
    return optind;
}

static void spec_from_opts(lp_spec *spec, const cli_opts *o)
{
    lp_spec init = LP_SPEC_INIT;
    *spec = init;
    spec->sources = o->sources;
    spec->n_sources = o->n_sources;
    spec->excludes = o->excludes;
    spec->n_excludes = o->n_excludes;
    spec->default_excludes = o->default_excludes;
    spec->level = o->level;
    spec->threads = o->threads;
    spec->directory_entries = o->directory_entries;
    spec->allow_external_symlinks = o->allow_external_symlinks;
    spec->output_path = o->output;
}

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* A progress line on stderr for builds that take over a second, only when
 * stderr is a terminal. The library reports no progress, so the line shows
 * the phase and the elapsed time. */
typedef struct progress {
    pthread_t tid;
    int running;
    atomic_int phase; /* 0 hashing, 1 writing, 2 done */
    atomic_int shown;
    const char *output;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} progress;

static void *progress_main(void *arg)
{
    progress *p = arg;
    double t0 = now();
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->phase) != 2) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        double dt = now() - t0;
        if (atomic_load(&p->phase) != 2 && dt >= 1.0) {
            fprintf(stderr, "\rlambdapack: %s %s... %.0fs ",
                    atomic_load(&p->phase) == 0 ? "hashing sources for" : "writing", p->output, dt);
            atomic_store(&p->shown, 1);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void progress_start(progress *p, const char *output)
{
    memset(p, 0, sizeof(*p));
    p->output = output;
    if (!isatty(STDERR_FILENO)) {
        return;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->running = pthread_create(&p->tid, NULL, progress_main, p) == 0;
}

static void progress_stop(progress *p)
{
    if (!p->running) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->phase, 2);
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->tid, NULL);
    if (atomic_load(&p->shown)) {
        fputc('\n', stderr);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    p->running = 0;
}

static void deps_progress(void *payload, const char *message)
{
    (void)payload;
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "lambdapack: %s...\n", message);
    }
}

/* Installs --requirements/--npm-lock (when given) and points *spec at a spec
 * that includes them; *set owns what it borrows. Warns about unpinned
 * requirement files. Returns 0 or EXIT_ERR. */
static int install_deps(const cli_opts *o, lp_spec *spec, lp_deps_set **set)
{
    char dir[4096];
    lp_error err = LP_ERROR_INIT;
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    *set = NULL;
    if (o->n_deps == 0) {
        return 0;
    }
    if (lp_deps_default_cache_dir(dir, sizeof(dir)) < 0) {
        fprintf(stderr, "lambdapack: cache directory path too long\n");
        return EXIT_ERR;
    }
    req.runtime = o->runtime;
    req.architecture = o->architecture;
    req.cache_dir = dir;
    req.progress = deps_progress;
    if (lp_deps_install_all(set, spec, o->deps, o->n_deps, &req, &err) < 0) {
        return fail(&err);
    }
    for (size_t i = 0; i < (*set)->n; i++) {
        const lp_deps_result *r = &(*set)->results[i];
        if (r->unpinned > 0) {
            fprintf(stderr,
                    "lambdapack: warning: %s: %d requirement(s) not pinned with == (first: %s); "
                    "the package changes whenever a dependency publishes. Pin them with "
                    "`pip-compile --generate-hashes` or `uv pip compile`.\n",
                    o->deps[i].file, r->unpinned, r->unpinned_first);
        }
        if (isatty(STDERR_FILENO)) {
            if (r->cache_hit) {
                fprintf(stderr, "lambdapack: %s: %zu files from the cache\n", o->deps[i].file,
                        r->n_files);
            } else {
                fprintf(stderr, "lambdapack: %s: installed %zu files in %.1fs\n", o->deps[i].file,
                        r->n_files, r->seconds);
            }
        }
    }
    *spec = (*set)->spec;
    return 0;
}

static const char *BUILD_HELP =
    "usage: lambdapack build -o OUT.zip [options] SOURCE...\n"
    "\n"
    "Builds a reproducible Lambda ZIP. SOURCE is DIR, FILE or DIR=PREFIX (the\n"
    "files of DIR go under PREFIX/ in the archive).\n"
    "\n"
    "  -o, --output OUT.zip        the ZIP to write (atomically replaced)\n"
    "      --exclude GLOB          leave out matching paths (repeatable)\n"
    "      --include GLOB          take only matching files (repeatable)\n"
    "      --no-default-excludes   keep __pycache__/, *.pyc, .git/, .DS_Store, .terraform/\n"
    "      --level N               deflate level 0-9 (0 = stored), default 6\n"
    "      --threads N             worker threads, default one per CPU\n"
    "      --directory-entries     also write directory entries\n"
    "      --allow-external-symlinks  follow symlinks leaving their source\n"
    "      --json                  print a JSON summary on stdout\n"
    "\n"
    "Dependencies, installed at build time from a lock file into a machine-wide cache:\n"
    "      --requirements FILE[=PREFIX]  pip requirements*.txt (wheels only), under PREFIX/\n"
    "      --npm-lock FILE[=PREFIX]  package-lock.json (npm ci), as PREFIX/node_modules/\n"
    "      --runtime R             Lambda runtime, e.g. python3.12, nodejs20.x (needed)\n"
    "      --architecture A        x86_64 (default) or arm64\n"
    "      --index-url URL         pip --index-url / npm --registry; '' = no index\n"
    "      --find-links DIR        pip: a directory of wheels (repeatable)\n";

static int cmd_build(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof(o));
    lp_error err = LP_ERROR_INIT;
    lp_manifest *m = NULL;
    lp_zip_info info;
    lp_deps_set *deps = NULL;
    int rc = EXIT_ERR;
    int first = parse_options(&o, argc, argv, NULL);
    if (first == -2) {
        fputs(BUILD_HELP, stdout);
        rc = 0;
        goto done;
    }
    if (first < 0) {
        goto done;
    }
    if (o.output == NULL) {
        fprintf(stderr, "lambdapack: build needs -o OUT.zip (try --help)\n");
        goto done;
    }
    if (parse_sources(&o, argc - first, argv + first) < 0) {
        goto done;
    }
    lp_spec spec;
    spec_from_opts(&spec, &o);
    if (install_deps(&o, &spec, &deps) != 0) {
        goto done;
    }
    double t0 = now();
    progress prog;
    progress_start(&prog, o.output);
    int brc = lp_manifest_build(&m, &spec, &err);
    if (brc == 0) {
        atomic_store(&prog.phase, 1);
        brc = lp_zip_write(m, o.output, o.threads, &info, &err);
    }
    progress_stop(&prog);
    if (brc < 0) {
        rc = fail(&err);
        goto done;
    }
    double dt = now() - t0;
    if (prog.shown) {
        fprintf(stderr,
                "lambdapack: %zu files, %" PRIu64 " bytes -> %s (%" PRIu64 " bytes) in %.1fs\n",
                m->n_files, m->unzipped_size, o.output, info.size, dt);
    }
    if (o.json) {
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "content_hash", m->content_hash,
                      "output_sha256", info.sha256_hex, "output_base64sha256", info.base64sha256,
                      "output_size", (json_int_t)info.size, "unzipped_size",
                      (json_int_t)m->unzipped_size, "file_count", (json_int_t)m->n_files);
        if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2)) < 0) {
            json_decref(j);
            fprintf(stderr, "lambdapack: cannot write JSON\n");
            goto done;
        }
        json_decref(j);
        fputc('\n', stdout);
    } else {
        printf("%s %s %" PRIu64 " bytes, %zu files\n", o.output, info.base64sha256, info.size,
               m->n_files);
    }
    rc = 0;
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    opts_free(&o);
    return rc;
}

static const char *MANIFEST_HELP =
    "usage: lambdapack manifest [--json] [options] SOURCE...\n"
    "\n"
    "Lists what a build of SOURCE... would hold: mode, size, SHA-256 and path of\n"
    "each file, then the content hash. Options as for build (no -o needed),\n"
    "--requirements/--npm-lock included.\n";

static int print_manifest(const lp_manifest *m, int json)
{
    if (!json) {
        for (size_t i = 0; i < m->n_files; i++) {
            const lp_file *f = &m->files[i];
            printf("%04" PRIo32 " %10" PRIu64 " %s %s\n", f->mode, f->size, f->sha256_hex,
                   f->archive_path);
        }
        printf("files %zu\nunzipped_size %" PRIu64 "\ncontent_hash %s\n", m->n_files,
               m->unzipped_size, m->content_hash);
        return 0;
    }
    json_t *files = json_array();
    json_t *root = json_pack("{s:s, s:I, s:I, s:o}", "content_hash", m->content_hash,
                             "unzipped_size", (json_int_t)m->unzipped_size, "file_count",
                             (json_int_t)m->n_files, "files", files);
    if (root == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        char mode[8];
        snprintf(mode, sizeof(mode), "%04" PRIo32, f->mode);
        json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s, s:b}", "path", f->archive_path,
                                               "mode", mode, "size", (json_int_t)f->size, "sha256",
                                               f->sha256_hex, "directory", f->is_dir));
    }
    int rc = json_dumpf(root, stdout, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', stdout);
    return rc;
}

static int cmd_manifest(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof(o));
    lp_error err = LP_ERROR_INIT;
    lp_manifest *m = NULL;
    lp_deps_set *deps = NULL;
    int rc = EXIT_ERR;
    int first = parse_options(&o, argc, argv, NULL);
    if (first == -2) {
        fputs(MANIFEST_HELP, stdout);
        rc = 0;
        goto done;
    }
    if (first < 0 || parse_sources(&o, argc - first, argv + first) < 0) {
        goto done;
    }
    lp_spec spec;
    spec_from_opts(&spec, &o);
    if (install_deps(&o, &spec, &deps) != 0) {
        goto done;
    }
    if (lp_manifest_build(&m, &spec, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    rc = print_manifest(m, o.json) < 0 ? EXIT_ERR : 0;
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    opts_free(&o);
    return rc;
}

static const char *kind_name(lp_diff_kind k)
{
    switch (k) {
    case LP_DIFF_MISSING:
        return "missing";
    case LP_DIFF_EXTRA:
        return "extra";
    case LP_DIFF_CHANGED:
        return "changed";
    case LP_DIFF_MODE:
        return "mode";
    }
    return "?";
}

/* Prints differences; returns 0 when none, EXIT_DIFF otherwise. */
static int report_diff(const lp_manifest *expected, const lp_manifest *actual)
{
    lp_diff_list *d = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_diff(&d, expected, actual, &err) < 0) {
        return fail(&err);
    }
    for (size_t i = 0; i < d->n; i++) {
        const lp_diff *it = &d->items[i];
        if (it->kind == LP_DIFF_MODE) {
            printf("mode %s (%04" PRIo32 " -> %04" PRIo32 ")\n", it->archive_path,
                   it->expected_mode, it->actual_mode);
        } else {
            printf("%s %s\n", kind_name(it->kind), it->archive_path);
        }
    }
    int rc = d->n == 0 ? 0 : EXIT_DIFF;
    lp_diff_list_free(d);
    return rc;
}

static const char *VERIFY_HELP =
    "usage: lambdapack verify ZIP [--against [options] SOURCE...]\n"
    "\n"
    "Without --against: reads every entry of ZIP, checking CRCs, sizes and names.\n"
    "With --against: also compares ZIP with a build of SOURCE... (options as for\n"
    "build) and lists each difference: missing, extra, changed, mode.\n"
    "Exit status: 0 match, 1 differences, 2 error.\n";

static int cmd_verify(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof(o));
    lp_error err = LP_ERROR_INIT;
    lp_manifest *want = NULL, *have = NULL;
    int rc = EXIT_ERR, against = 0;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(VERIFY_HELP, stdout);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "lambdapack: verify needs a ZIP (try --help)\n");
        return EXIT_ERR;
    }
    const char *zip = argv[1];
    int first = parse_options(&o, argc - 1, argv + 1, &against);
    if (first == -2) {
        fputs(VERIFY_HELP, stdout);
        rc = 0;
        goto done;
    }
    if (first < 0) {
        goto done;
    }
    first += 1;
    if (!against && first < argc) {
        fprintf(stderr, "lambdapack: unexpected '%s' (SOURCEs follow --against)\n", argv[first]);
        goto done;
    }
    if (lp_zip_read_manifest(&have, zip, o.level, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    if (!against) {
        printf("%s: %zu entries OK, content_hash %s\n", zip, have->n_files, have->content_hash);
        rc = 0;
        goto done;
    }
    if (parse_sources(&o, argc - first, argv + first) < 0) {
        goto done;
    }
    lp_spec spec;
    spec_from_opts(&spec, &o);
    spec.output_path = zip;
    spec.directory_entries = have->directory_entries;
    if (lp_manifest_build(&want, &spec, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    rc = report_diff(want, have);
    if (rc == 0) {
        printf("%s matches its sources\n", zip);
    }
done:
    lp_manifest_free(want);
    lp_manifest_free(have);
    opts_free(&o);
    return rc;
}

static const char *DIFF_HELP = "usage: lambdapack diff A.zip B.zip\n"
                               "\n"
                               "Lists the entries that differ between two ZIPs (missing from B,\n"
                               "extra in B, changed, mode). Exit status: 0 same, 1 different,\n"
                               "2 error.\n";

static int cmd_diff(int argc, char **argv)
{
    lp_error err = LP_ERROR_INIT;
    lp_manifest *a = NULL, *b = NULL;
    int rc = EXIT_ERR;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(DIFF_HELP, stdout);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "lambdapack: diff needs two ZIPs (try --help)\n");
        return EXIT_ERR;
    }
    if (lp_zip_read_manifest(&a, argv[1], 6, &err) < 0 ||
        lp_zip_read_manifest(&b, argv[2], 6, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    rc = report_diff(a, b);
done:
    lp_manifest_free(a);
    lp_manifest_free(b);
    return rc;
}

static const char *HELP = "usage: lambdapack COMMAND [options] ...\n"
                          "\n"
                          "Reproducible AWS Lambda ZIPs.\n"
                          "\n"
                          "  build -o OUT.zip SOURCE...    build a ZIP\n"
                          "  manifest SOURCE...            list what a build would hold\n"
                          "  verify ZIP [--against SOURCE...]  check a ZIP\n"
                          "  diff A.zip B.zip              compare two ZIPs\n"
                          "\n"
                          "SOURCE is DIR, FILE or DIR=PREFIX. `lambdapack COMMAND --help` for "
                          "more.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return EXIT_ERR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(HELP, stdout);
        return 0;
    }
    if (strcmp(cmd, "build") == 0) {
        return cmd_build(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "manifest") == 0) {
        return cmd_manifest(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "verify") == 0) {
        return cmd_verify(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "diff") == 0) {
        return cmd_diff(argc - 1, argv + 1);
    }
    fprintf(stderr, "lambdapack: unknown command '%s' (try --help)\n", cmd);
    return EXIT_ERR;
}
