/*
 * Tests for lp_memo, the per-process file-hash memo: an entry is recorded
 * only for a file whose stat did not move while it was read and whose
 * timestamps had settled, and it answers only for the very same stat; and a
 * manifest built twice in one process sees a same-size rewrite whose mtime
 * was put back.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lp_compat.h"
#include "lp_manifest.h"
#include "lp_memo.h"
#include "testutil.h"

static const unsigned char SHA_A[32] = {0xaa, 1, 2, 3};

/* A regular file's stat, last changed at `when` (seconds). */
static struct stat stat_at(time_t when)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_mode = S_IFREG | 0644;
    st.st_dev = 7;
    st.st_ino = 42;
    st.st_size = 100;
    LP_ST_MTIM(&st).tv_sec = when;
    LP_ST_CTIM(&st).tv_sec = when;
    return st;
}

static const struct timespec NOW = {1000000, 0};

static void a_settled_unchanged_file_is_remembered_for_its_exact_stat(void **state)
{
    (void)state;
    lp_memo_clear();
    struct stat st = stat_at(NOW.tv_sec - 10);
    lp_memo_put(&st, &st, &NOW, SHA_A);
    unsigned char got[32];
    assert_true(lp_memo_get(&st, got));
    assert_memory_equal(got, SHA_A, 32);

    struct stat other = st;
    other.st_size = 101;
    assert_false(lp_memo_get(&other, got));
    other = st;
    LP_ST_MTIM(&other).tv_nsec = 1;
    assert_false(lp_memo_get(&other, got));
    other = st;
    LP_ST_CTIM(&other).tv_sec++;
    assert_false(lp_memo_get(&other, got));
    other = st;
    other.st_ino++;
    assert_false(lp_memo_get(&other, got));
    other = st;
    other.st_dev++;
    assert_false(lp_memo_get(&other, got));
    lp_memo_clear();
    assert_false(lp_memo_get(&st, got));
}

static void a_file_that_changed_while_read_is_not_recorded(void **state)
{
    (void)state;
    lp_memo_clear();
    struct stat before = stat_at(NOW.tv_sec - 10);
    struct stat after = before;
    LP_ST_CTIM(&after).tv_nsec = 5;
    lp_memo_put(&before, &after, &NOW, SHA_A);
    unsigned char got[32];
    assert_false(lp_memo_get(&before, got));
    assert_false(lp_memo_get(&after, got));
}

static void a_recently_touched_or_future_file_is_not_recorded(void **state)
{
    (void)state;
    lp_memo_clear();
    unsigned char got[32];
    struct stat recent = stat_at(NOW.tv_sec - LP_MEMO_SETTLE_SEC + 1);
    lp_memo_put(&recent, &recent, &NOW, SHA_A);
    assert_false(lp_memo_get(&recent, got));

    struct stat ctime_recent = stat_at(NOW.tv_sec - 100);
    LP_ST_CTIM(&ctime_recent).tv_sec = NOW.tv_sec; /* e.g. mtime put back by touch -d */
    lp_memo_put(&ctime_recent, &ctime_recent, &NOW, SHA_A);
    assert_false(lp_memo_get(&ctime_recent, got));

    struct stat future = stat_at(NOW.tv_sec + 3600);
    lp_memo_put(&future, &future, &NOW, SHA_A);
    assert_false(lp_memo_get(&future, got));

    struct stat dir = stat_at(NOW.tv_sec - 100);
    dir.st_mode = S_IFDIR | 0755;
    lp_memo_put(&dir, &dir, &NOW, SHA_A);
    assert_false(lp_memo_get(&dir, got));
}

static void a_same_size_rewrite_with_its_mtime_put_back_is_rehashed(void **state)
{
    const char *dir = *state;
    lp_memo_clear();
    tu_write(dir, "app/handler.py", "x = 1\n", 0644);
    tu_write(dir, "app/other.py", "y = 1\n", 0644);
    /* Let the files settle so that the first manifest records them. */
    sleep(LP_MEMO_SETTLE_SEC + 1);
    lp_manifest *m1 = NULL, *m2 = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m1, dir, NULL, &err), 0);
    char *other = tu_path(dir, "app/other.py");
    struct stat ost;
    unsigned char remembered[32];
    assert_int_equal(stat(other, &ost), 0);
    assert_true(lp_memo_get(&ost, remembered)); /* the manifest recorded it */
    free(other);

    char *path = tu_path(dir, "app/handler.py");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    tu_write(dir, "app/handler.py", "x = 2\n", 0644); /* same size */
    struct timespec times[2] = {{0, UTIME_OMIT}, LP_ST_MTIM(&st)};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);

    assert_int_equal(tu_build_dir(&m2, dir, NULL, &err), 0);
    const lp_file *a = lp_manifest_find(m1, "app/handler.py");
    const lp_file *b = lp_manifest_find(m2, "app/handler.py");
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a->sha256_hex, b->sha256_hex);
    /* ... and is the hash of the new bytes: what a process without a memo sees. */
    lp_memo_clear();
    lp_manifest *m3 = NULL;
    assert_int_equal(tu_build_dir(&m3, dir, NULL, &err), 0);
    assert_string_equal(b->sha256_hex, lp_manifest_find(m3, "app/handler.py")->sha256_hex);
    lp_manifest_free(m3);
    /* The untouched file is answered from the memo, with the same hash. */
    assert_string_equal(lp_manifest_find(m1, "app/other.py")->sha256_hex,
                        lp_manifest_find(m2, "app/other.py")->sha256_hex);
    assert_string_not_equal(m1->content_hash, m2->content_hash);
    free(path);
    lp_manifest_free(m1);
    lp_manifest_free(m2);
    lp_memo_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_settled_unchanged_file_is_remembered_for_its_exact_stat),
        cmocka_unit_test(a_file_that_changed_while_read_is_not_recorded),
        cmocka_unit_test(a_recently_touched_or_future_file_is_not_recorded),
        cmocka_unit_test_setup_teardown(a_same_size_rewrite_with_its_mtime_put_back_is_rehashed,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
