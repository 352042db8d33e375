/*
 * testutil: filesystem scaffolding and raw ZIP construction for the packager
 * tests. Test-only code: setup failures stop the test via cmocka's fail_msg.
 */
#include "testutil.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libdeflate.h>

char *tu_mkdtemp(void)
{
    const char *t = getenv("TMPDIR");
    char *p = NULL;
    if (asprintf(&p, "%s/lp-test-XXXXXX", t != NULL && t[0] != '\0' ? t : "/tmp") < 0) {
        fail_msg("out of memory");
    }
    if (mkdtemp(p) == NULL) {
        fail_msg("mkdtemp: %s", strerror(errno));
    }
    return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void tu_rmtree(const char *path)
{
    if (path != NULL) {
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

char *tu_path(const char *dir, const char *rel)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, rel) < 0) {
        fail_msg("out of memory");
    }
    return p;
}

void tu_mkdirs(const char *dir, const char *rel)
{
    char *p = tu_path(dir, rel);
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    mkdir(p, 0755);
    free(p);
}

void tu_write_bytes(const char *dir, const char *rel, const void *data, size_t n, unsigned mode)
{
    const char *rslash = strrchr(rel, '/');
    if (rslash != NULL) {
        char *parent = strndup(rel, (size_t)(rslash - rel));
        assert_non_null(parent);
        tu_mkdirs(dir, parent);
        free(parent);
    }
    char *p = tu_path(dir, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fail_msg("cannot write %s: %s", p, strerror(errno));
    }
    if (n > 0 && write(fd, data, n) != (ssize_t)n) {
        fail_msg("short write to %s", p);
    }
    fchmod(fd, (mode_t)mode);
    close(fd);
    free(p);
}

void tu_write(const char *dir, const char *rel, const char *data, unsigned mode)
{
    tu_write_bytes(dir, rel, data, strlen(data), mode);
}

unsigned char *tu_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    unsigned char *b = malloc(cap);
    size_t r;
    while (b != NULL && (r = fread(b + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            cap *= 2;
            unsigned char *g = realloc(b, cap);
            if (g == NULL) {
                free(b);
                b = NULL;
            }
            b = g;
        }
    }
    fclose(f);
    *n = len;
    return b;
}

int tu_same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    unsigned char *x = tu_read(a, &na), *y = tu_read(b, &nb);
    int same = x != NULL && y != NULL && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (d == NULL) {
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static size_t name_len(const tu_zip_entry *e)
{
    return e->name_len > 0 ? e->name_len : strlen(e->name);
}

size_t tu_zip_raw(const char *path, const tu_zip_entry *e, size_t n, size_t truncate_to)
{
    size_t cap = 1 << 16, len = 0;
    for (size_t i = 0; i < n; i++) {
        cap += 2 * (name_len(&e[i]) + 100) + e[i].len;
    }
    unsigned char *b = calloc(1, cap);
    uint32_t *offsets = calloc(n + 1, sizeof(*offsets));
    uint32_t *crcs = calloc(n + 1, sizeof(*crcs));
    assert_non_null(b);
    assert_non_null(offsets);
    assert_non_null(crcs);
    for (size_t i = 0; i < n; i++) {
        size_t nl = name_len(&e[i]);
        crcs[i] = e[i].crc_set ? e[i].crc : (uint32_t)libdeflate_crc32(0, e[i].data, e[i].len);
        uint32_t usize = e[i].size_set ? e[i].uncomp_size : (uint32_t)e[i].len;
        offsets[i] = (uint32_t)len;
        unsigned char *h = b + len;
        put32(h, 0x04034b50);
        put16(h + 4, 20);
        put16(h + 6, 0);
        put16(h + 8, e[i].method);
        put16(h + 10, 0);
        put16(h + 12, 0x21);
        put32(h + 14, crcs[i]);
        put32(h + 18, (uint32_t)e[i].len);
        put32(h + 22, usize);
        put16(h + 26, (uint32_t)nl);
        put16(h + 28, 0);
        memcpy(h + 30, e[i].name, nl);
        len += 30 + nl;
        if (e[i].len > 0) {
            memcpy(b + len, e[i].data, e[i].len);
        }
        len += e[i].len;
    }
    size_t cd = len;
    for (size_t i = 0; i < n; i++) {
        size_t nl = name_len(&e[i]);
        uint32_t usize = e[i].size_set ? e[i].uncomp_size : (uint32_t)e[i].len;
        unsigned char *h = b + len;
        put32(h, 0x02014b50);
        put16(h + 4, (3 << 8) | 20);
        put16(h + 6, 20);
        put16(h + 8, 0);
        put16(h + 10, e[i].method);
        put16(h + 12, 0);
        put16(h + 14, 0x21);
        put32(h + 16, crcs[i]);
        put32(h + 20, (uint32_t)e[i].len);
        put32(h + 24, usize);
        put16(h + 28, (uint32_t)nl);
        put16(h + 30, 0);
        put16(h + 32, 0);
        put16(h + 34, 0);
        put16(h + 36, 0);
        put32(h + 38, e[i].external);
        put32(h + 42, offsets[i]);
        memcpy(h + 46, e[i].name, nl);
        len += 46 + nl;
    }
    unsigned char *h = b + len;
    put32(h, 0x06054b50);
    put16(h + 4, 0);
    put16(h + 6, 0);
    put16(h + 8, (uint32_t)n);
    put16(h + 10, (uint32_t)n);
    put32(h + 12, (uint32_t)(len - cd));
    put32(h + 16, (uint32_t)cd);
    put16(h + 20, 0);
    len += 22;
    if (truncate_to > 0 && truncate_to < len) {
        len = truncate_to;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
    free(b);
    free(offsets);
    free(crcs);
    return len;
}

int tu_sh(const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    if (r < 0) {
        return -1;
    }
    int st = system(cmd);
    free(cmd);
    if (st == -1 || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

int tu_setup_tmpdir(void **state)
{
    *state = tu_mkdtemp();
    return 0;
}

int tu_teardown_tmpdir(void **state)
{
    tu_rmtree(*state);
    free(*state);
    return 0;
}

int tu_build_dir_level(lp_manifest **m, const char *path, const char *prefix, int level,
                       lp_error *err)
{
    lp_source src;
    memset(&src, 0, sizeof(src));
    src.path = path;
    src.prefix = prefix;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &src;
    spec.n_sources = 1;
    spec.level = level;
    return lp_manifest_build(m, &spec, err);
}

int tu_build_dir(lp_manifest **m, const char *path, const char *prefix, lp_error *err)
{
    return tu_build_dir_level(m, path, prefix, TU_DEFAULT_LEVEL, err);
}
