/*
 * lp_cache: content-addressed store of built ZIPs (see include/lp_cache.h).
 *
 * Files are named <key>.zip inside the cache directory. Builds go through
 * lp_zip_write, which writes a temporary file and renames it, so concurrent
 * writers of one key (two resources with identical sources) each leave a
 * complete, identical entry.
 *
 * An entry is never trusted for what its name claims: anyone who can write
 * the directory (or restore it from a CI cache) can plant a file under any
 * key. Each entry therefore carries a MAC, <key>.mac: HMAC-SHA256 over the
 * key, the writer's identity (LP_ZIP_WRITER) and the
 * entry's SHA-256 and size, with a key
 * that lives outside the cache directory (see cache_key). An entry whose MAC
 * does not verify (planted, damaged, truncated, from another writer, or
 * made under another key) is removed and rebuilt; without a key every store
 * builds. lp_cache_install also moves an entry only when it hashes to the
 * SHA-256 its caller expects. It knows nothing of Terraform.
 */
#include "lp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_cache_int.h"

#define CACHE_MAX_AGE_SECONDS (24 * 60 * 60)

static int key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 128) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static int entry_path(char *buf, size_t len, const char *dir, const char *key, lp_error *err)
{
    if (!key_is_valid(key)) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, key, "invalid cache key '%s'", key);
    }
    int n = snprintf(buf, len, "%s/%s.zip", dir, key);
    if (n < 0 || (size_t)n >= len) {
        return lp_error_set(err, LP_EINVAL, ENAMETOOLONG, -1, NULL, dir,
                            "cache directory path too long: '%s'", dir);
    }
    return 0;
}

/* What changes the bytes for a manifest besides the manifest itself. */
static void writer_id(char *buf, size_t len)
{
    snprintf(buf, len, "%s", LP_ZIP_WRITER);
}

/*
 * The MAC key: 32 bytes in $LAMBDAPACK_CACHE_KEY_FILE, else
 * $XDG_CONFIG_HOME/lambdapack/cache-key, else ~/.config/lambdapack/cache-key.
 * Created (0600, random) on first use; another process creating it at the
 * same time is fine (link() publishes one whole key). Returns 0 when a key
 * is available.
 */
static int cache_key(unsigned char key[32])
{
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    const char *file = getenv("LAMBDAPACK_CACHE_KEY_FILE");
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n;
    if (file != NULL && file[0] != '\0') {
        n = snprintf(path, sizeof(path), "%s", file);
    } else if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(path, sizeof(path), "%s/lambdapack/cache-key", xdg);
    } else if (home != NULL && home[0] == '/') {
        n = snprintf(path, sizeof(path), "%s/.config/lambdapack/cache-key", home);
    } else {
        return -1;
    }
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return -1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t got = read(fd, key, 32);
            close(fd);
            return got == 32 ? 0 : -1;
        }
        if (errno != ENOENT || lp_fs_mkdirs(path, 0, NULL) < 0) {
            return -1;
        }
        unsigned char fresh[32];
        snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
        if (RAND_bytes(fresh, sizeof(fresh)) != 1 || (fd = mkstemp(tmp)) < 0) {
            return -1;
        }
        int ok = fchmod(fd, 0600) == 0 && write(fd, fresh, 32) == 32 && fsync(fd) == 0;
        close(fd);
        if (ok && link(tmp, path) != 0 && errno != EEXIST) {
            ok = 0;
        }
        unlink(tmp);
        OPENSSL_cleanse(fresh, sizeof(fresh));
        if (!ok) {
            return -1;
        }
    }
    return -1;
}

/* Hex HMAC of an entry's identity under key. */
static void entry_mac(const unsigned char key[32], const char *cache_key_hex,
                      const lp_zip_info *zip, char out[65])
{
    char writer[128], msg[512];
    writer_id(writer, sizeof(writer));
    int n = snprintf(msg, sizeof(msg), "lambdapack-cache-1 %s %s %s %llu", cache_key_hex, writer,
                     zip->sha256_hex, (unsigned long long)zip->size);
    if (n < 0 || (size_t)n >= sizeof(msg)) {
        memset(out, 0, 65);
        return;
    }
    lp_hash_hmac_hex(key, msg, (size_t)n, out);
}

static void mac_path(char *buf, size_t len, const char *dir, const char *key)
{
    snprintf(buf, len, "%s/%s.mac", dir, key);
}

/* 1 when the entry at path verifies: its MAC file matches its bytes. */
static int entry_verifies(const char *dir, const char *key, const char *path,
                          const unsigned char mkey[32], lp_zip_info *info)
{
    char mpath[PATH_MAX], want[65], have[66];
    if (lp_zip_hash_file(path, info, NULL) != 0) {
        return 0;
    }
    mac_path(mpath, sizeof(mpath), dir, key);
    int fd = open(mpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t got = read(fd, have, sizeof(have));
    close(fd);
    entry_mac(mkey, key, info, want);
    return got == 64 && want[0] != '\0' && CRYPTO_memcmp(have, want, 64) == 0;
}

static void write_mac(const char *dir, const char *key, const unsigned char mkey[32],
                      const lp_zip_info *info)
{
    char mpath[PATH_MAX], mac[65];
    mac_path(mpath, sizeof(mpath), dir, key);
    entry_mac(mkey, key, info, mac);
    int fd = open(mpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) {
        if (mac[0] == '\0' || write(fd, mac, 64) != 64) {
            unlink(mpath);
        }
        close(fd);
    }
}

int lp_cache_get(const char *dir, const char *key, lp_zip_info *info, lp_error *err)
{
    char path[PATH_MAX];
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (rc < 0) {
        return rc;
    }
    return lp_zip_hash_file(path, info, err);
}

/* An entry's file name: lowercase hex, ".zip". */
static int is_entry_name(const char *name)
{
    size_t len = strlen(name);
    char key[129];
    if (len < 5 || len - 4 >= sizeof(key) || strcmp(name + len - 4, ".zip") != 0) {
        return 0;
    }
    memcpy(key, name, len - 4);
    key[len - 4] = '\0';
    return key_is_valid(key);
}

/* Removes the entry <key>.zip and its <key>.mac. */
static void remove_entry(DIR *d, const char *zip_name)
{
    char mac[NAME_MAX + 1];
    size_t len = strlen(zip_name);
    unlinkat(dirfd(d), zip_name, 0);
    if (len > 4 && len - 4 + 5 <= sizeof(mac)) {
        snprintf(mac, sizeof(mac), "%.*s.mac", (int)(len - 4), zip_name);
        unlinkat(dirfd(d), mac, 0);
    }
}

static void drop_entry(void *dir, const char *name)
{
    remove_entry(dir, name);
}

/* Removes the temporary files a killed run left (own pattern, older than
 * this process), entries past their age, then the oldest entries beyond
 * LP_CACHE_MAX_ENTRIES. Files of any other name are left alone. Best
 * effort: failures are ignored. */
static void prune(const char *dir)
{
    lp_fs_remove_stale_temps(dir, NULL);
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    lp_fs_aged entries[LP_CACHE_MAX_ENTRIES * 4];
    size_t n = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (!is_entry_name(de->d_name) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (now - st.st_mtime > CACHE_MAX_AGE_SECONDS) {
            remove_entry(d, de->d_name);
        } else if (n < sizeof(entries) / sizeof(entries[0])) {
            snprintf(entries[n].name, sizeof(entries[n].name), "%s", de->d_name);
            entries[n].mtime = st.st_mtime;
            n++;
        }
    }
    lp_fs_drop_oldest(entries, n, LP_CACHE_MAX_ENTRIES, drop_entry, d);
    closedir(d);
}

int lp_cache_put(const char *dir, const char *key, const lp_manifest *m, int threads,
                 lp_zip_info *info, int *replaced, lp_error *err)
{
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.threads = threads;
    return lp_cache_put_opts(dir, key, m, &opts, info, replaced, err);
}

int lp_cache_put_opts(const char *dir, const char *key, const lp_manifest *m,
                      const lp_zip_options *opts, lp_zip_info *info, int *replaced, lp_error *err)
{
    char path[PATH_MAX];
    lp_zip_info before;
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (replaced != NULL) {
        *replaced = 0;
    }
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_fs_mkdirs(dir, 1, err)) < 0) {
        return rc;
    }
    unsigned char mkey[32];
    int have_key = cache_key(mkey) == 0;
    if (have_key && entry_verifies(dir, key, path, mkey, info)) {
        OPENSSL_cleanse(mkey, sizeof(mkey));
        return 0; /* this writer's own build, proven by the MAC */
    }
    int had_entry = lp_zip_hash_file(path, &before, NULL) == 0;
    char mpath[PATH_MAX];
    mac_path(mpath, sizeof(mpath), dir, key);
    unlink(mpath);
    prune(dir);
    /* A cancelled or failed build leaves no <key>.zip of its own, and no MAC. */
    if ((rc = lp_zip_write_opts(m, path, opts, info, err)) < 0) {
        OPENSSL_cleanse(mkey, sizeof(mkey));
        return rc;
    }
    if (have_key) {
        write_mac(dir, key, mkey, info);
        OPENSSL_cleanse(mkey, sizeof(mkey));
    }
    if (replaced != NULL && had_entry && strcmp(before.sha256_hex, info->sha256_hex) != 0) {
        *replaced = 1;
    }
    return 0;
}

int lp_cache_install(const char *dir, const char *key, const char *output_path,
                     const char *expect_sha256, lp_zip_info *installed, lp_error *err)
{
    char path[PATH_MAX];
    lp_zip_info found;
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_zip_hash_file(path, &found, err)) < 0) {
        return rc;
    }
    char mpath[PATH_MAX];
    mac_path(mpath, sizeof(mpath), dir, key);
    if (strcmp(found.sha256_hex, expect_sha256) != 0) {
        unlink(path);
        unlink(mpath);
        return lp_error_set(err, LP_ECHANGED, 0, -1, NULL, path,
                            "cached package '%s' does not have the expected hash", path);
    }
    if ((rc = lp_fs_mkdirs(output_path, 0, err)) < 0) {
        return rc;
    }
    if ((rc = lp_fs_replace(path, output_path, err)) < 0) {
        return rc;
    }
    unlink(mpath);
    if (installed != NULL) {
        *installed = found;
    }
    return 0;
}

int lp_cache_secret(unsigned char key[32])
{
    return cache_key(key);
}
