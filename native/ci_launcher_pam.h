/*
 * ci_launcher_pam.h - the C ABI of libci-launcher-pam.so, the native AOT library that answers
 * for pam_ci_launcher.so. The library runs the same decision path as `ci-launcher validate`
 * (token verification, policy, account checks, audit record); this header is all the PAM
 * shim knows about it.
 *
 * Threads: every function may be called from any thread, concurrently. The library keeps the
 * parsed config and key sets per process and reloads them when a file's inode, size or mtime
 * changes, so a login in steady state costs one signature check.
 *
 * Strings are NUL-terminated UTF-8. `reason` receives "reason.code: detail" (NUL-terminated,
 * truncated to reason_len, control characters replaced by '?'). It never contains the token.
 * The functions never unwind: any unexpected failure inside returns CIL_PAM_INTERNAL_ERROR.
 */
#ifndef CI_LAUNCHER_PAM_H
#define CI_LAUNCHER_PAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes; cil_pam_abi_version() must return it. */
#define CIL_PAM_ABI_VERSION 1

/* Longest password the library reads as a token: 8 KiB plus one trailing newline. Longer
 * input is refused (token.too_large) by its length alone. */
#define CIL_PAM_MAX_TOKEN_BYTES 8193

/* Result codes (src/Launcher.Pam/PamResult.cs). The shim maps each to one PAM return value. */
#define CIL_PAM_OK              0 /* PAM_SUCCESS */
#define CIL_PAM_DENIED          1 /* token or policy refused: PAM_AUTH_ERR */
#define CIL_PAM_USER_UNKNOWN    2 /* the user does not exist: PAM_USER_UNKNOWN */
#define CIL_PAM_UNAVAILABLE     3 /* config, key set, NSS or audit trouble: PAM_AUTHINFO_UNAVAIL */
#define CIL_PAM_ACCOUNT_DENIED  4 /* account checks refused the user: PAM_PERM_DENIED */
#define CIL_PAM_ACCOUNT_EXPIRED 5 /* expired in /etc/shadow: PAM_ACCT_EXPIRED */
#define CIL_PAM_BAD_ARGUMENT    6 /* NULL, relative config path, non-UTF-8: PAM_SERVICE_ERR */
#define CIL_PAM_INTERNAL_ERROR  7 /* unexpected exception, caught at the boundary: PAM_SERVICE_ERR */

/* Returns CIL_PAM_ABI_VERSION. The first call into the library starts the .NET runtime. */
typedef int (*cil_pam_abi_version_fn)(void);
int cil_pam_abi_version(void);

/*
 * Does `token` (token_len bytes, not NUL-terminated; may contain any byte) prove that its
 * holder may log in as `user`? Verifies the token against the issuers of the config file at
 * the absolute path `config`, applies the policy, checks that the mapped account is exactly
 * `user` (else pam.user_mismatch) and passes the account checks, and writes one audit record
 * carrying `service` and `rhost` (either may be NULL).
 */
typedef int (*cil_pam_authenticate_fn)(const char *config, const char *user, const char *token, size_t token_len,
                                       const char *service, const char *rhost, char *reason, size_t reason_len);
int cil_pam_authenticate(const char *config, const char *user, const char *token, size_t token_len,
                         const char *service, const char *rhost, char *reason, size_t reason_len);

/*
 * May `user` log in at all? The config's account checks (accounts: min_uid, deny/allow lists
 * and groups, shell, locked or expired shadow entry), with one audit record.
 */
typedef int (*cil_pam_account_fn)(const char *config, const char *user, const char *service, const char *rhost,
                                  char *reason, size_t reason_len);
int cil_pam_account(const char *config, const char *user, const char *service, const char *rhost,
                    char *reason, size_t reason_len);

#ifdef __cplusplus
}
#endif

#endif
