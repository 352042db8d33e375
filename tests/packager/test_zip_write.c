/*
 * Tests for lp_zip_write: the ZIP bytes depend on the manifest only
 * (mtimes, umask, owner, readdir order, locale, time zone, cwd, checkout
 * path and thread count do not matter), the container layout is the
 * documented one, and a failed write leaves the previous ZIP alone.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libdeflate.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lp_deflate.h"
#include "lp_zip.h"
#include "testutil.h"

/* Files of a small Lambda-like tree, created in the given order. */
static const char *const TREE[][2] = {
    {"course_request_handler/handler.py", "from shared.logic.courses import get\n"
                                          "def lambda_handler(e, c):\n    return get()\n"},
    {"shared/__init__.py", ""},
    {"shared/logic/__init__.py", ""},
    {"shared/logic/courses.py", "def get():\n    return {'courses': ['a', 'b']}\n"},
    {"bin/tool", "#!/bin/sh\necho tool\n"},
    {"data/big.txt", NULL}, /* filled with compressible text */
};
#define TREE_N (sizeof(TREE) / sizeof(TREE[0]))

/* Creates TREE under dir/rel; reverse: create in the opposite order;
 * use_umask: create with open(0666) and let the umask decide. */
static void make_tree(const char *dir, const char *rel, int reverse, int use_umask)
{
    static char big[100000];
    for (size_t i = 0; i < sizeof(big) - 1; i++) {
        big[i] = (char)('a' + (i * 7 + i / 13) % 26);
    }
    for (size_t k = 0; k < TREE_N; k++) {
        size_t i = reverse ? TREE_N - 1 - k : k;
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", rel, TREE[i][0]) > 0);
        const char *data = TREE[i][1] != NULL ? TREE[i][1] : big;
        unsigned mode = strncmp(TREE[i][0], "bin/", 4) == 0 ? 0755 : 0644;
        if (use_umask) {
            char *full = tu_path(dir, p);
            char *slash = strrchr(p, '/');
            *slash = '\0';
            tu_mkdirs(dir, p);
            int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode == 0755 ? 0777 : 0666);
            assert_true(fd >= 0);
            assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
            close(fd);
            free(full);
        } else {
            tu_write(dir, p, data, mode);
        }
        free(p);
    }
}

/* Builds the manifest of dir/rel and writes it to out. */
static void build_zip(const char *src, const char *out, int level, int threads, lp_zip_info *info)
{
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.level = level;
    spec.threads = threads;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("manifest: %s", err.message);
    }
    if (lp_zip_write(m, out, threads, info, &err) != 0) {
        fail_msg("write: %s", err.message);
    }
    lp_manifest_free(m);
}

static void build_tree_zip(const char *dir, const char *rel, const char *out)
{
    char *src = tu_path(dir, rel);
    build_zip(src, out, 6, 0, NULL);
    free(src);
}

static void same_sources_different_mtimes_give_same_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    build_tree_zip(d, "src", a);
    for (size_t i = 0; i < TREE_N; i++) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/src/%s", d, TREE[i][0]) > 0);
        struct timeval tv[2] = {{1000000000 + (long)i * 3600, 0}, {1500000000 - (long)i, 0}};
        assert_int_equal(utimes(p, tv), 0);
        free(p);
    }
    build_tree_zip(d, "src", b);
    assert_true(tu_same_file(a, b));
    free(a);
    free(b);
}

static void same_sources_different_umask_give_same_bytes(void **state)
{
    const char *d = *state;
    mode_t old = umask(022);
    make_tree(d, "t1", 0, 1);
    umask(077);
    make_tree(d, "t2", 0, 1);
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    umask(022);
    build_tree_zip(d, "t1", a);
    umask(077);
    build_tree_zip(d, "t2", b);
    umask(old);
    assert_true(tu_same_file(a, b));
    /* The ZIP itself is readable by everyone whatever the umask. */
    struct stat st;
    assert_int_equal(stat(b, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    free(a);
    free(b);
}

static void same_sources_different_owner_give_same_bytes(void **state)
{
    const char *d = *state;
    if (geteuid() != 0) {
        skip();
    }
    make_tree(d, "t1", 0, 0);
    make_tree(d, "t2", 0, 0);
    char *t2 = tu_path(d, "t2");
    assert_int_equal(tu_sh("chown -R 12345:23456 '%s'", t2), 0);
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    build_tree_zip(d, "t1", a);
    build_tree_zip(d, "t2", b);
    assert_true(tu_same_file(a, b));
    free(t2);
    free(a);
    free(b);
}

static void same_sources_different_readdir_order_give_same_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "t1", 0, 0);
    make_tree(d, "t2", 1, 0);
    /* Many siblings created in opposite orders make differing readdir
     * orders likely whatever the filesystem. */
    char name[64];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof(name), "t1/many/f%02d", i);
        tu_write(d, name, name + 3, 0644);
        snprintf(name, sizeof(name), "t2/many/f%02d", 49 - i);
        tu_write(d, name, name + 3, 0644);
    }
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    build_tree_zip(d, "t1", a);
    build_tree_zip(d, "t2", b);
    assert_true(tu_same_file(a, b));
    free(a);
    free(b);
}

static void same_sources_different_locale_and_time_zone_give_same_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    tu_write(d, "src/\xc3\xa9t\xc3\xa9.py", "utf8 name", 0644);
    tu_write(d, "src/Zeta.py", "upper", 0644);
    tu_write(d, "src/alpha.py", "lower", 0644);
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    const char *old_tz = getenv("TZ");
    char *saved_tz = old_tz != NULL ? strdup(old_tz) : NULL;
    setenv("TZ", "UTC", 1);
    tzset();
    setlocale(LC_ALL, "C");
    build_tree_zip(d, "src", a);
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
        setlocale(LC_ALL, "");
    }
    build_tree_zip(d, "src", b);
    setlocale(LC_ALL, "C");
    if (saved_tz != NULL) {
        setenv("TZ", saved_tz, 1);
    } else {
        unsetenv("TZ");
    }
    tzset();
    free(saved_tz);
    assert_true(tu_same_file(a, b));
    free(a);
    free(b);
}

static void same_sources_from_different_cwd_give_same_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "proj/src", 0, 0);
    tu_mkdirs(d, "elsewhere/deeper");
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    char *proj = tu_path(d, "proj"), *deeper = tu_path(d, "elsewhere/deeper");
    char old[4096];
    assert_non_null(getcwd(old, sizeof(old)));
    assert_int_equal(chdir(proj), 0);
    build_zip("src", a, 6, 0, NULL);
    assert_int_equal(chdir(deeper), 0);
    build_zip("../../proj/src", b, 6, 0, NULL);
    assert_int_equal(chdir(old), 0);
    assert_true(tu_same_file(a, b));
    free(a);
    free(b);
    free(proj);
    free(deeper);
}

static void same_sources_at_different_absolute_paths_give_same_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "checkout-one/src/lambda", 0, 0);
    make_tree(d, "a/much/longer/checkout/path/src/lambda", 1, 0);
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    build_tree_zip(d, "checkout-one/src/lambda", a);
    build_tree_zip(d, "a/much/longer/checkout/path/src/lambda", b);
    assert_true(tu_same_file(a, b));
    free(a);
    free(b);
}

static void thread_count_does_not_change_the_bytes(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char name[64];
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof(name), "src/pkg%d/mod%d.py", i % 9, i);
        tu_write(d, name, name, 0644);
    }
    char *src = tu_path(d, "src");
    char *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    build_zip(src, a, 6, 1, NULL);
    build_zip(src, b, 6, 7, NULL);
    assert_true(tu_same_file(a, b));
    free(src);
    free(a);
    free(b);
}

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

/* Walks the central directory of a ZIP without a comment. */
typedef struct cd_entry {
    char name[256];
    uint16_t made_by, flags, method, time, date, extra_len, lextra_len;
    uint32_t crc, csize, usize, external, offset;
} cd_entry;

static size_t parse_cd(const unsigned char *z, size_t n, cd_entry *out, size_t max)
{
    assert_true(n >= 22);
    const unsigned char *eocd = z + n - 22;
    assert_int_equal(get32(eocd), 0x06054b50);
    size_t count = get16(eocd + 10);
    uint32_t cd = get32(eocd + 16);
    assert_true(count <= max);
    const unsigned char *p = z + cd;
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(get32(p), 0x02014b50);
        cd_entry *e = &out[i];
        e->made_by = get16(p + 4);
        e->flags = get16(p + 8);
        e->method = get16(p + 10);
        e->time = get16(p + 12);
        e->date = get16(p + 14);
        e->crc = get32(p + 16);
        e->csize = get32(p + 20);
        e->usize = get32(p + 24);
        uint16_t nl = get16(p + 28);
        e->extra_len = get16(p + 30);
        e->external = get32(p + 38);
        e->offset = get32(p + 42);
        assert_true(nl < sizeof(e->name));
        memcpy(e->name, p + 46, nl);
        e->name[nl] = '\0';
        const unsigned char *lh = z + e->offset;
        assert_int_equal(get32(lh), 0x04034b50);
        e->lextra_len = get16(lh + 28);
        p += 46 + nl + e->extra_len + get16(p + 32);
    }
    return count;
}

static void entries_are_sorted_with_fixed_time_unix_modes_and_no_extras(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 1, 0);
    char *out = tu_path(d, "out.zip");
    build_tree_zip(d, "src", out);
    size_t n = 0;
    unsigned char *z = tu_read(out, &n);
    cd_entry e[16];
    size_t count = parse_cd(z, n, e, 16);
    assert_int_equal(count, TREE_N);
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            assert_true(strcmp(e[i - 1].name, e[i].name) < 0);
        }
        assert_int_equal(e[i].made_by >> 8, 3);               /* Unix */
        assert_int_equal(e[i].time, 0);                       /* 00:00:00 */
        assert_int_equal(e[i].date, (0 << 9) | (1 << 5) | 1); /* 1980-01-01 */
        assert_int_equal(e[i].extra_len, 0);
        assert_int_equal(e[i].lextra_len, 0);
        assert_int_equal(e[i].flags & 0x8, 0); /* no data descriptor */
        uint32_t mode = e[i].external >> 16;
        if (strcmp(e[i].name, "bin/tool") == 0) {
            assert_int_equal(mode, 0100755);
        } else {
            assert_int_equal(mode, 0100644);
        }
        assert_int_equal(e[i].method, e[i].usize == 0 ? 0 : 8);
    }
    assert_string_equal(e[0].name, "bin/tool");
    free(z);
    free(out);
}

static void incompressible_content_grows_by_stored_block_headers_only(void **state)
{
    const char *d = *state;
    size_t big = 512 * 1024;
    unsigned char *noise = malloc(big);
    char *text = malloc(big + 1);
    assert_non_null(noise);
    assert_non_null(text);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13; /* xorshift32: deterministic noise */
        x ^= x >> 17;
        x ^= x << 5;
        noise[i] = (unsigned char)x;
        text[i] = "def handler(event, context):\n    return 42\n"[i % 43];
    }
    text[big] = '\0';
    char *src = tu_path(d, "src");
    char *np = tu_path(d, "src/model.bin");
    tu_write(d, "src/app.py", text, 0644);
    FILE *f = fopen(np, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(noise, 1, big, f), big);
    fclose(f);
    char *out = tu_path(d, "out.zip");
    build_zip(src, out, 6, 0, NULL);
    size_t n = 0;
    unsigned char *z = tu_read(out, &n);
    cd_entry e[4];
    assert_int_equal(parse_cd(z, n, e, 4), 2);
    assert_string_equal(e[0].name, "app.py");
    assert_int_equal(e[0].method, 8);
    assert_true(e[0].csize < big / 50);
    /* Stored deflate blocks: the content plus 5 bytes per 64 KiB block. */
    assert_string_equal(e[1].name, "model.bin");
    assert_int_equal(e[1].method, 8);
    assert_true(e[1].csize >= big && e[1].csize <= big + 5 * (big / 65535 + 1));
    const unsigned char *data = z + e[1].offset + 30 + get16(z + e[1].offset + 26);
    struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
    unsigned char *back = malloc(big);
    size_t back_len = 0;
    assert_int_equal(libdeflate_deflate_decompress(dc, data, e[1].csize, back, big, &back_len),
                     LIBDEFLATE_SUCCESS);
    assert_int_equal(back_len, big);
    assert_memory_equal(back, noise, big);
    libdeflate_free_decompressor(dc);
    free(back);
    free(z);
    free(out);
    free(np);
    free(src);
    free(text);
    free(noise);
}

static void deflated_entries_hold_lp_deflate_output_verbatim(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *src = tu_path(d, "src");
    char *out = tu_path(d, "out.zip");
    build_zip(src, out, 9, 0, NULL);
    size_t n = 0;
    unsigned char *z = tu_read(out, &n);
    cd_entry e[16];
    size_t count = parse_cd(z, n, e, 16);
    for (size_t i = 0; i < count; i++) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", src, e[i].name) > 0);
        size_t len = 0;
        unsigned char *raw = tu_read(p, &len);
        assert_int_equal(e[i].usize, len);
        assert_int_equal(e[i].crc, libdeflate_crc32(0, raw, len));
        if (len > 0) {
            unsigned char *buf = NULL;
            size_t clen = 0;
            assert_int_equal(lp_deflate_buffer(9, raw, len, &buf, &clen), 0);
            assert_int_equal(e[i].csize, clen);
            const unsigned char *data = z + e[i].offset + 30 + get16(z + e[i].offset + 26);
            assert_memory_equal(data, buf, clen);
            free(buf);
        }
        free(raw);
        free(p);
    }
    free(z);
    free(out);
    free(src);
}

static void level_0_stores_every_entry(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *src = tu_path(d, "src");
    char *out = tu_path(d, "out.zip");
    build_zip(src, out, 0, 0, NULL);
    size_t n = 0;
    unsigned char *z = tu_read(out, &n);
    cd_entry e[16];
    size_t count = parse_cd(z, n, e, 16);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(e[i].method, 0);
        assert_int_equal(e[i].csize, e[i].usize);
    }
    free(z);
    free(out);
    free(src);
}

static void directory_entries_are_written_when_asked(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *src = tu_path(d, "src"), *out = tu_path(d, "out.zip");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.directory_entries = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(lp_zip_write(m, out, 0, NULL, &err), 0);
    size_t n = 0;
    unsigned char *z = tu_read(out, &n);
    cd_entry e[32];
    size_t count = parse_cd(z, n, e, 32);
    assert_int_equal(count, m->n_files);
    int dirs = 0;
    for (size_t i = 0; i < count; i++) {
        if (e[i].name[strlen(e[i].name) - 1] == '/') {
            dirs++;
            assert_int_equal(e[i].external >> 16, 040755);
            assert_int_equal(e[i].usize, 0);
        }
    }
    assert_int_equal(dirs, 5); /* bin course_request_handler data shared shared/logic */
    free(z);
    lp_manifest_free(m);
    free(src);
    free(out);
}

static void info_reports_sha256_base64_and_size_of_the_file(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *src = tu_path(d, "src"), *out = tu_path(d, "out.zip"), *ref = tu_path(d, "ref");
    lp_zip_info info;
    build_zip(src, out, 6, 0, &info);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(info.size, (uint64_t)st.st_size);
    /* Python's hashlib and base64 as the independent reference. */
    assert_int_equal(tu_sh("python3 -c \"import hashlib,base64,sys; "
                           "d=hashlib.sha256(open(sys.argv[1],'rb').read()).digest(); "
                           "print(d.hex()+' '+base64.b64encode(d).decode(), end='')\" '%s' > '%s'",
                           out, ref),
                     0);
    size_t n = 0;
    unsigned char *r = tu_read(ref, &n);
    assert_int_equal(n, 64 + 1 + 44);
    assert_memory_equal(r, info.sha256_hex, 64);
    assert_memory_equal(r + 65, info.base64sha256, 44);
    lp_zip_info again;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_hash_file(out, &again, &err), 0);
    assert_string_equal(again.sha256_hex, info.sha256_hex);
    assert_int_equal(lp_zip_hash_file(ref + 0, &again, &err), 0);
    char *missing = tu_path(d, "missing.zip");
    assert_int_equal(lp_zip_hash_file(missing, &again, &err), LP_ENOENT);
    free(missing);
    free(r);
    free(src);
    free(out);
    free(ref);
}

static void missing_parent_directories_are_created(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    char *src = tu_path(d, "src"), *out = tu_path(d, "new/dirs/out.zip");
    build_zip(src, out, 6, 0, NULL);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    free(src);
    free(out);
}

/* Builds a manifest for src, then lets `mutate` run before writing to
 * outdir/out.zip (which holds an older ZIP); the write must fail with
 * expect_code and leave the old ZIP and nothing else. */
static void expect_failed_write_keeps_old_zip(const char *d, void (*mutate)(const char *),
                                              int expect_code)
{
    char *src = tu_path(d, "src"), *outdir = tu_path(d, "outdir");
    char *out = tu_path(d, "outdir/out.zip"), *copy = tu_path(d, "copy.zip");
    tu_mkdirs(d, "outdir");
    build_zip(src, out, 6, 0, NULL);
    assert_int_equal(tu_sh("cp '%s' '%s'", out, copy), 0);
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    mutate(src);
    assert_int_equal(lp_zip_write(m, out, 2, NULL, &err), expect_code);
    assert_true(err.message[0] != '\0');
    assert_true(tu_same_file(out, copy));
    assert_int_equal(tu_count_entries(outdir), 1);
    lp_manifest_free(m);
    free(src);
    free(outdir);
    free(out);
    free(copy);
}

static void change_content(const char *src)
{
    tu_write(src, "shared/logic/courses.py", "def get():\n    return {'courses': ['x', 'y']}\n",
             0644);
}

static void grow_file(const char *src)
{
    static char more[300000];
    memset(more, 'x', sizeof(more) - 1);
    tu_write(src, "data/big.txt", more, 0644);
}

static void remove_file(const char *src)
{
    char *p = tu_path(src, "shared/__init__.py");
    unlink(p);
    free(p);
}

static void file_changed_after_manifest_fails_and_keeps_previous_zip(void **state)
{
    make_tree(*state, "src", 0, 0);
    expect_failed_write_keeps_old_zip(*state, change_content, LP_ECHANGED);
}

static void file_grown_after_manifest_fails_and_keeps_previous_zip(void **state)
{
    make_tree(*state, "src", 0, 0);
    expect_failed_write_keeps_old_zip(*state, grow_file, LP_ECHANGED);
}

static void file_vanished_after_manifest_fails_and_keeps_previous_zip(void **state)
{
    make_tree(*state, "src", 0, 0);
    expect_failed_write_keeps_old_zip(*state, remove_file, LP_ENOENT);
}

static void directory_as_output_fails_without_writing(void **state)
{
    const char *d = *state;
    make_tree(d, "src", 0, 0);
    tu_mkdirs(d, "out/isdir.zip");
    char *src = tu_path(d, "src"), *out = tu_path(d, "out/isdir.zip"), *od = tu_path(d, "out");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(lp_zip_write(m, out, 0, NULL, &err), LP_EIO);
    assert_string_equal(err.field, "output_path");
    assert_non_null(strstr(err.message, "isdir.zip"));
    assert_int_equal(tu_count_entries(od), 1);
    lp_manifest_free(m);
    free(src);
    free(out);
    free(od);
}

static void package_larger_than_the_memory_budget_is_written_whole(void **state)
{
    const char *d = *state;
    /* 8 x 12 MiB + one 70 MiB file: more than the 64 MiB in-flight budget,
     * and one file larger than it on its own. */
    size_t big = 70u << 20, mid = 12u << 20;
    unsigned char *buf = malloc(big);
    assert_non_null(buf);
    uint32_t x = 12345;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)('a' + ((x >> 16) % 4));
    }
    char name[64];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof(name), "src/mid%d.txt", i);
        tu_write_bytes(d, name, buf + (size_t)i * 1000, mid, 0644);
    }
    tu_write_bytes(d, "src/huge.txt", buf, big, 0644);
    free(buf);
    char *src = tu_path(d, "src"), *out = tu_path(d, "out.zip");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.level = 1;
    lp_manifest *m = NULL, *r = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(lp_zip_write(m, out, 2, NULL, &err), 0);
    assert_int_equal(lp_zip_read_manifest(&r, out, 1, &err), 0);
    assert_string_equal(r->content_hash, m->content_hash);
    lp_manifest_free(m);
    lp_manifest_free(r);
    free(src);
    free(out);
}

/* The manifest of src plus one inline file; defer: lp_spec.defer_hashes. */
static lp_manifest *manifest_of(const char *src, int defer)
{
    lp_source s[2];
    memset(s, 0, sizeof(s));
    s[0].path = src;
    s[1].content = "inline\n";
    s[1].content_len = 7;
    s[1].filename = "inline.txt";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = s;
    spec.n_sources = 2;
    spec.defer_hashes = defer;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("manifest: %s", err.message);
    }
    return m;
}

/* The tree, plus an empty file and one larger than a worker's read buffer. */
static void make_mixed_tree(const char *d)
{
    make_tree(d, "src", 0, 0);
    tu_write(d, "src/empty.txt", "", 0644);
    size_t n = 600000;
    unsigned char *mid = malloc(n);
    assert_non_null(mid);
    for (size_t i = 0; i < n; i++) {
        mid[i] = (unsigned char)((i * 31 + i / 977) & 0xff);
    }
    tu_write_bytes(d, "src/lib/mid.so", mid, n, 0755);
    free(mid);
}

static void hashes_taken_while_packing_equal_those_of_a_manifest_built_first(void **state)
{
    const char *d = *state;
    make_mixed_tree(d);
    char *src = tu_path(d, "src"), *a = tu_path(d, "a.zip"), *b = tu_path(d, "b.zip");
    lp_manifest *first = manifest_of(src, 0), *later = manifest_of(src, 1);
    lp_error err = LP_ERROR_INIT;
    assert_false(lp_manifest_pending(first));
    assert_true(lp_manifest_pending(later));
    assert_string_equal(later->content_hash, "");
    /* The writer that checks hashes will not take a manifest without them. */
    assert_int_equal(lp_zip_write_opts(later, b, NULL, NULL, &err), LP_EINVAL);
    assert_int_not_equal(access(b, F_OK), 0);
    lp_zip_info ia, ib;
    assert_int_equal(lp_zip_write(first, a, 2, &ia, &err), 0);
    assert_int_equal(lp_zip_build(later, b, NULL, &ib, &err), 0);
    assert_true(tu_same_file(a, b));
    assert_string_equal(ia.sha256_hex, ib.sha256_hex);
    assert_false(lp_manifest_pending(later));
    assert_string_equal(later->content_hash, first->content_hash);
    assert_int_equal(later->n_files, first->n_files);
    for (size_t i = 0; i < first->n_files; i++) {
        assert_string_equal(later->files[i].archive_path, first->files[i].archive_path);
        assert_string_equal(later->files[i].sha256_hex, first->files[i].sha256_hex);
    }
    lp_manifest_free(first);
    lp_manifest_free(later);
    free(src);
    free(a);
    free(b);
}

static void a_file_that_grows_before_a_deferred_build_fails_and_leaves_it_pending(void **state)
{
    const char *d = *state;
    make_mixed_tree(d);
    char *src = tu_path(d, "src"), *out = tu_path(d, "outdir/out.zip");
    char *copy = tu_path(d, "copy.zip"), *outdir = tu_path(d, "outdir");
    tu_mkdirs(d, "outdir");
    build_zip(src, out, 6, 0, NULL);
    assert_int_equal(tu_sh("cp '%s' '%s'", out, copy), 0);
    lp_manifest *m = manifest_of(src, 1);
    grow_file(src);
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_build(m, out, NULL, NULL, &err), LP_ECHANGED);
    assert_non_null(strstr(err.message, "data/big.txt"));
    assert_true(tu_same_file(out, copy));
    assert_int_equal(tu_count_entries(outdir), 1);
    assert_true(lp_manifest_pending(m));
    assert_string_equal(m->content_hash, "");
    lp_manifest_free(m);
    free(src);
    free(out);
    free(copy);
    free(outdir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int main(void)
{
    /* These tests are about reading, checking and compressing the sources:
     * no entry may come from the store of compressed entries (test_store.c). */
    setenv("LAMBDAPACK_STORE", "off", 1);
    const struct CMUnitTest tests[] = {
        T(same_sources_different_mtimes_give_same_bytes),
        T(same_sources_different_umask_give_same_bytes),
        T(same_sources_different_owner_give_same_bytes),
        T(same_sources_different_readdir_order_give_same_bytes),
        T(same_sources_different_locale_and_time_zone_give_same_bytes),
        T(same_sources_from_different_cwd_give_same_bytes),
        T(same_sources_at_different_absolute_paths_give_same_bytes),
        T(thread_count_does_not_change_the_bytes),
        T(entries_are_sorted_with_fixed_time_unix_modes_and_no_extras),
        T(incompressible_content_grows_by_stored_block_headers_only),
        T(deflated_entries_hold_lp_deflate_output_verbatim),
        T(level_0_stores_every_entry),
        T(directory_entries_are_written_when_asked),
        T(info_reports_sha256_base64_and_size_of_the_file),
        T(missing_parent_directories_are_created),
        T(file_changed_after_manifest_fails_and_keeps_previous_zip),
        T(file_grown_after_manifest_fails_and_keeps_previous_zip),
        T(file_vanished_after_manifest_fails_and_keeps_previous_zip),
        T(directory_as_output_fails_without_writing),
        T(package_larger_than_the_memory_budget_is_written_whole),
        T(hashes_taken_while_packing_equal_those_of_a_manifest_built_first),
        T(a_file_that_grows_before_a_deferred_build_fails_and_leaves_it_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
