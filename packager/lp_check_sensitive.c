/*
 * lp_check_sensitive: files whose path marks them as credentials.
 *
 * A Lambda package is uploaded to AWS, often to S3, and copied to every
 * machine that deploys it; the plan prints every file's SHA-256. A file
 * whose name says it is a secret (an SSH key, a .env, AWS credentials,
 * Terraform state) is therefore an error unless allow_sensitive_files names
 * it. The patterns are lp_glob patterns matched against the archive path;
 * the list is documented in docs/internals/checks.md.
 */
#include <string.h>

#include "lp_check_int.h"
#include "lp_glob.h"

/* Paths that mark a credential (lp_glob: no `/` = basename at any depth;
 * trailing `/` = a directory, and everything below it). */
static const char *const sensitive[] = {
    ".env",      ".env.*",
    "*.pem",     "*.key",
    "*.p12",     "*.pfx",
    "id_rsa*",   "id_dsa*",
    "id_ecdsa*", "id_ed25519*",
    ".ssh/",     ".aws/",
    ".netrc",    ".npmrc",
    ".pypirc",   ".git-credentials",
    "*.tfstate", "*.tfstate.backup",
    "*.tfvars",
};

/* A substring of every path some pattern above matches: paths with none of
 * them skip the globs (most files of a vendored tree). Keep in step with
 * `sensitive` (the unit test covers every pattern). */
static const char *const needles[] = {".env",    ".pem",  ".key",     ".p12",   ".pfx",
                                      "id_",     ".ssh/", ".aws/",    ".netrc", ".npmrc",
                                      ".pypirc", ".git-", ".tfstate", ".tfvars"};

static int may_be_sensitive(const char *path)
{
    size_t n = sizeof(needles) / sizeof(needles[0]);
    for (size_t i = 0; i < n; i++) {
        if (needles[i][0] != '.' && strstr(path, needles[i]) != NULL) {
            return 1;
        }
    }
    /* The rest start with '.': one pass over the path's dots. */
    for (const char *dot = strchr(path, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
        for (size_t i = 0; i < n; i++) {
            if (needles[i][0] == '.' && strncmp(dot, needles[i], strlen(needles[i])) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* Templates that hold no secret, although they match above. */
static const char *const harmless[] = {".env.example", ".env.sample", ".env.template"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ALLOW 256

/* Compiles n patterns into g (n <= room). Returns 0, or LP_EGLOB/LP_ENOMEM
 * with err filled (g then holds what was compiled; free it). */
static int compile(lp_glob **g, const char *const *patterns, size_t n, lp_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = lp_glob_compile(&g[i], patterns[i], err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Index+1 of the first of the n globs that matches path, 0 when none,
 * LP_ENOMEM. */
static int first_match(lp_glob *const *g, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++) {
        int rc = lp_glob_match(g[i], path, 0);
        if (rc != 0) {
            return rc < 0 ? rc : (int)i + 1;
        }
    }
    return 0;
}

static void free_all(lp_glob **g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lp_glob_free(g[i]);
    }
}

/* Adds a finding for every file f that matches a sensitive pattern and
 * neither a harmless one nor an allowed one. */
static int scan(checker *c, lp_glob *const *sens, lp_glob *const *safe, lp_glob *const *allow,
                size_t n_allow)
{
    for (size_t i = 0; i < c->m->n_files; i++) {
        const lp_file *f = &c->m->files[i];
        if (f->is_dir || !may_be_sensitive(f->archive_path)) {
            continue;
        }
        if (c->o->n_user_sources > 0 && f->source_index >= 0 &&
            (size_t)f->source_index >= c->o->n_user_sources) {
            continue; /* installed from a lock file, not the user's own file */
        }
        int hit = first_match(sens, N(sensitive), f->archive_path), ok = 0;
        if (hit > 0 && (ok = first_match(safe, N(harmless), f->archive_path)) == 0) {
            ok = first_match(allow, n_allow, f->archive_path);
        }
        if (hit < 0 || ok < 0) {
            return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
        }
        if (hit == 0 || ok > 0) {
            continue;
        }
        int rc = lp_check_add(c, LP_CHECK_ERROR, "source", f->source_index, f->archive_path, 0,
                              "Sensitive file in package",
                              "'%s' looks like a credential (it matches `%s`), and a Lambda "
                              "package is uploaded to AWS and copied to every machine that "
                              "deploys it. Leave it out (excludes = [\"%s\"]), or, when it is "
                              "meant to ship (a public CA bundle), allow it: "
                              "allow_sensitive_files = [\"%s\"] (lambdapack: "
                              "--allow-sensitive-file '%s').",
                              f->archive_path, sensitive[hit - 1], f->archive_path, f->archive_path,
                              f->archive_path);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int lp_check_sensitive(checker *c)
{
    const lp_check_options *o = c->o;
    lp_glob *sens[N(sensitive)] = {0}, *safe[N(harmless)] = {0}, *allow[MAX_ALLOW] = {0};
    size_t n_allow = o->n_allow_sensitive_files;
    int rc = 0;
    if (n_allow > MAX_ALLOW) {
        return lp_error_set(c->err, LP_ELIMIT, 0, -1, "allow_sensitive_files", "",
                            "allow_sensitive_files has %zu patterns, more than %d", n_allow,
                            MAX_ALLOW);
    }
    if ((rc = compile(sens, sensitive, N(sensitive), c->err)) < 0 ||
        (rc = compile(safe, harmless, N(harmless), c->err)) < 0) {
        goto done;
    }
    if ((rc = compile(allow, o->allow_sensitive_files, n_allow, c->err)) < 0) {
        c->err->field = "allow_sensitive_files";
        goto done;
    }
    for (size_t i = 0; i < n_allow; i++) {
        if (lp_glob_negated(allow[i])) {
            rc = lp_error_set(c->err, LP_EGLOB, 0, -1, "allow_sensitive_files",
                              o->allow_sensitive_files[i],
                              "invalid glob '%s' in allow_sensitive_files: `!` has no meaning "
                              "here (the list only allows)",
                              o->allow_sensitive_files[i]);
            goto done;
        }
    }
    rc = scan(c, sens, safe, allow, n_allow);
done:
    free_all(sens, N(sensitive));
    free_all(safe, N(harmless));
    free_all(allow, n_allow);
    return rc;
}
