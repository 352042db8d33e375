/*
 * lp_deps_entry: the cache entries of lp_deps. An entry is <dir>/<key>/ with
 * tree/, MANIFEST (path, mode, size and SHA-256 of every file, sorted by
 * path) and MAC (HMAC-SHA256 under lp_cache's secret over the key and the
 * MANIFEST). An entry is trusted only when its MAC verifies and its tree
 * still matches its MANIFEST; anything else is discarded by renaming it
 * aside before deleting it. Pruning removes leftovers (.tmp-*, .trash-*)
 * older than an hour, entries unused for a day and all but the newest
 * LP_DEPS_MAX_ENTRIES.
 *
 * Touches nothing outside the cache directory. Knows nothing of Terraform.
 */
#include "lp_deps_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lp_cache_int.h"
#include "lp_fs.h"
#include "lp_hash.h"

#define TEMP_MAX_AGE (60 * 60)
#define MANIFEST_MAGIC "lambdapack-deps-manifest 1\n"

/* ---- tree listing: the MANIFEST of an entry ---- */

static int hash_file(const char *path, char out[65], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[LP_HASH_BUF], d[32];
    unsigned int dl = 0;
    int rc = ctx != NULL && EVP_DigestInit_ex(ctx, lp_hash_sha256_md(), NULL) == 1 ? 0 : -1;
    *size = 0;
    while (rc == 0) {
        ssize_t got = lp_fs_read(fd, buf, sizeof(buf));
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
        if (errno == ENOMEM) {
            return -1;
        }
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
        if (lp_deps_join(path, sizeof(path), dir, de->d_name) < 0 ||
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

char *lp_deps_entry_manifest(const char *tree, int *bad, size_t *n_files)
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
 * MANIFEST text. 0, -1 when no secret is available (nothing verifies), or
 * -ENOMEM. */
static int entry_mac(const char *key, const char *manifest, size_t n, char out[65])
{
    unsigned char secret[32];
    static const char domain[] = "lambdapack-deps-1 ";
    size_t klen = strlen(key), len = sizeof(domain) - 1 + klen + 1 + n;
    int have_secret = lp_cache_secret(secret) == 0;
    char *msg = have_secret ? malloc(len) : NULL;
    int rc = have_secret ? -ENOMEM : -1;
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

int lp_deps_entry_mac_write(const char *dir, const char *key, const char *manifest)
{
    char path[PATH_MAX], mac[65];
    int rc;
    if (lp_deps_join(path, sizeof(path), dir, "MAC") < 0) {
        return -1;
    }
    if ((rc = entry_mac(key, manifest, strlen(manifest), mac)) < 0) {
        return rc;
    }
    FILE *f = fopen(path, "wxe");
    int ok = f != NULL && fputs(mac, f) >= 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    return ok ? 0 : -1;
}

int lp_deps_entry_verify(const char *entry, size_t *n_files)
{
    char tree[PATH_MAX], mpath[PATH_MAX], macpath[PATH_MAX], want[65];
    char *recorded = NULL, *mac = NULL;
    size_t rlen = 0, maclen = 0;
    int bad = 0, ok = 0;
    const char *key = strrchr(entry, '/') != NULL ? strrchr(entry, '/') + 1 : entry;
    if (lp_deps_join(tree, sizeof(tree), entry, "tree") < 0 ||
        lp_deps_join(mpath, sizeof(mpath), entry, "MANIFEST") < 0 ||
        lp_deps_join(macpath, sizeof(macpath), entry, "MAC") < 0 ||
        lp_deps_read_file(mpath, LP_DEPS_LOCK_MAX, &recorded, &rlen) < 0) {
        return 0;
    }
    if (lp_deps_read_file(macpath, 128, &mac, &maclen) == 0 && maclen == 64 &&
        entry_mac(key, recorded, rlen, want) == 0 && CRYPTO_memcmp(mac, want, 64) == 0) {
        char *now = lp_deps_entry_manifest(tree, &bad, n_files);
        ok = now != NULL && !bad && strlen(now) == rlen && memcmp(now, recorded, rlen) == 0;
        free(now);
    }
    free(mac);
    free(recorded);
    return ok;
}

void lp_deps_entry_discard(const char *dir, const char *entry)
{
    char trash[PATH_MAX];
    static unsigned counter;
    snprintf(trash, sizeof(trash), "%s/.trash-%ld-%u", dir, (long)getpid(), ++counter);
    if (rename(entry, trash) == 0) {
        lp_deps_remove_tree(trash);
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
    if (lp_deps_join(path, sizeof(path), dir, name) == 0) {
        lp_deps_entry_discard(dir, path);
    }
}

void lp_deps_entry_prune(const char *dir)
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
            lp_deps_join(path, sizeof(path), dir, de->d_name) < 0 || lstat(path, &st) != 0) {
            continue;
        }
        int key = is_key_name(de->d_name);
        int leftover =
            strncmp(de->d_name, ".tmp-", 5) == 0 || strncmp(de->d_name, ".trash-", 7) == 0;
        if (leftover && now - st.st_mtime > TEMP_MAX_AGE) {
            lp_deps_remove_tree(path);
        } else if (key && now - st.st_mtime > LP_DEPS_ENTRY_MAX_AGE) {
            lp_deps_entry_discard(dir, path);
        } else if (key && n < sizeof(entries) / sizeof(entries[0])) {
            snprintf(entries[n].name, sizeof(entries[n].name), "%s", de->d_name);
            entries[n].mtime = st.st_mtime;
            n++;
        }
    }
    closedir(d);
    lp_fs_drop_oldest(entries, n, LP_DEPS_MAX_ENTRIES, drop_entry, (void *)dir);
}
