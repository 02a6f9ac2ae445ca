#!/usr/bin/env bash
# ./build.sh demo: the main job on an embedded default, with nothing left outside the repo.
# A throwaway issuer key and JWKS, a config, a GitLab-shaped token, then validate and explain.
set -euo pipefail
CI_LAUNCHER=$1
TEST_ISSUER=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO="$ROOT/.demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 0755 "$DEMO"
ISS=https://gitlab.example.org
AUD=https://hpc.example.org

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$TEST_ISSUER" keygen --dir "$DEMO/issuer" --alg RS256 --kid demo-key-1
cp "$DEMO/issuer/jwks.json" "$DEMO/gitlab.jwks.json"
chmod 0644 "$DEMO/gitlab.jwks.json"
chmod 0700 "$DEMO/issuer"

ME=$(id -un)
USER_FOR_TOKEN=$ME
NSS_NOTE=""
# Jobs never run as root, and the demo must not create accounts: when the caller is root (or a
# system account), the demo user comes from fixture passwd/group files through nss_wrapper.
if [ "$(id -u)" -lt 1000 ]; then
    NSS=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1 || true)
    if [ -n "$NSS" ]; then
        USER_FOR_TOKEN=ci-demo
        printf 'root:x:0:0:root:/root:/bin/bash\nci-demo:x:4242:4242:CI demo user:/home/ci-demo:/bin/bash\n' > "$DEMO/passwd"
        printf 'root:x:0:\nci-demo:x:4242:\nhpc-users:x:5000:ci-demo\n' > "$DEMO/group"
        export LD_PRELOAD=$NSS NSS_WRAPPER_PASSWD="$DEMO/passwd" NSS_WRAPPER_GROUP="$DEMO/group"
        NSS_NOTE=" (you are $ME, uid $(id -u); jobs never run as system accounts, so the demo maps to 'ci-demo' from fixture passwd/group files via nss_wrapper)"
    fi
fi

cat > "$DEMO/config.yaml" <<YAML
# Demo configuration written by ./build.sh demo (see packaging/config.example.yaml for a real one).
issuers:
  - name: gitlab
    issuer: $ISS
    audiences: [$AUD]
    jwks_file: $DEMO/gitlab.jwks.json
    algorithms: [RS256]
    clock_skew: 30s
    username_claim: user_login
policy:
  rules:
    - name: hpc-protected-branches
      issuer: gitlab
      match: { project_path: "hpc/**", ref_protected: "true" }
      action: allow
      run_as: "{user_login}"
accounts:
  min_uid: 1000
  deny_users: [root]
audit:
  file: $DEMO/audit.log
  syslog: false
YAML
chmod 0644 "$DEMO/config.yaml"

echo "ci-launcher demo: issuer $ISS, audience $AUD, token for user '$USER_FOR_TOKEN'$NSS_NOTE"
"$TEST_ISSUER" mint --dir "$DEMO/issuer" --iss "$ISS" --aud "$AUD" --user "$USER_FOR_TOKEN" > "$DEMO/token.jwt"
"$TEST_ISSUER" mint --dir "$DEMO/issuer" --iss "$ISS" --aud "$AUD" --user "$USER_FOR_TOKEN" --set project_path=other/tool > "$DEMO/other-project.jwt"

step "ci-launcher check-config --config .demo/config.yaml"
"$CI_LAUNCHER" check-config --config "$DEMO/config.yaml"

step "ci-launcher validate --config .demo/config.yaml --token-file .demo/token.jwt --json"
"$CI_LAUNCHER" validate --config "$DEMO/config.yaml" --token-file "$DEMO/token.jwt" --json || true

step "ci-launcher explain --config .demo/config.yaml --token-file .demo/token.jwt"
"$CI_LAUNCHER" explain --config "$DEMO/config.yaml" --token-file "$DEMO/token.jwt" || true

step "ci-launcher explain ... --token-file .demo/other-project.jwt   (a project no rule allows)"
"$CI_LAUNCHER" explain --config "$DEMO/config.yaml" --token-file "$DEMO/other-project.jwt" || true

step "tampered token (one payload byte changed): ci-launcher validate"
python_free_tamper() { local t; t=$(cat "$1"); local head=${t%%.*}; local rest=${t#*.}; local payload=${rest%%.*}; local sig=${rest#*.}
    local c=${payload:10:1}; local r=A; [ "$c" = A ] && r=B; printf '%s.%s%s%s.%s' "$head" "${payload:0:10}" "$r" "${payload:11}" "$sig"; }
python_free_tamper "$DEMO/token.jwt" > "$DEMO/tampered.jwt"
set +e
"$CI_LAUNCHER" validate --config "$DEMO/config.yaml" --token-file "$DEMO/tampered.jwt"
echo "exit code $? (1 = denied)"
set -e

step "tail -n 2 .demo/audit.log   (one JSON line per decision; the token itself is never logged)"
tail -n 2 "$DEMO/audit.log"
echo
echo "Everything the demo made is in $DEMO (remove with: rm -rf .demo)."
