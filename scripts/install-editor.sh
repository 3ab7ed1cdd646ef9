#!/usr/bin/env bash
# Installs what the editor test layer needs: Debian's chromium and ripgrep, then code-server
# 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) and playwright-core into a cache
# folder outside the repo, so they are reused across runs and never bundled into the .vsix.
# Idempotent: a second run only checks and exits. Prints the cache folder on its last line.
set -euo pipefail

HOME_DIR=${PGLENS_EDITOR_HOME:-$HOME/.cache/pglens-editor}
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
STAMP="$HOME_DIR/installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION"

log() { echo "install-editor: $*" >&2; }

# 1. System packages: libkrb5-dev (code-server's kerberos module builds against it), ripgrep
#    (seeds @vscode/ripgrep so its postinstall needs no internet), chromium (the browser).
missing=()
for pkg in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing system packages: ${missing[*]}. Run as root, or: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f "$STAMP" ] && [ -x "$HOME_DIR/node_modules/.bin/code-server" ] \
   && [ -f "$HOME_DIR/node_modules/playwright-core/package.json" ]; then
  log "code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION already in $HOME_DIR"
  echo "$HOME_DIR"
  exit 0
fi

mkdir -p "$HOME_DIR/tmp"
cd "$HOME_DIR"

# 2. @vscode/ripgrep's postinstall downloads a release from GitHub into
#    $TMPDIR/vscode-ripgrep-cache-<its version>/ unless the archive is already there; put
#    Debian's rg there under the name it looks for (code-server 4.100.3 pins
#    @vscode/ripgrep 1.15.11, which fetches ripgrep v13.0.0-10).
export TMPDIR="$HOME_DIR/tmp"
seed="$HOME_DIR/rgseed"
cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$seed" "$cache"
cp /usr/bin/rg "$seed/rg"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$seed" rg

# 3. code-server and playwright-core in their own package folder. npm 11 blocks dependency
#    install scripts unless allowed; code-server's postinstall builds its native modules
#    (and runs nested npm installs that inherit this environment).
[ -f package.json ] || printf '{ "name": "pglens-editor-cache", "private": true }\n' > package.json
log "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION into $HOME_DIR (about a minute)"
npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
  npm install --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >"$HOME_DIR/npm-install.log" 2>&1 || {
    log "npm install failed; last lines of $HOME_DIR/npm-install.log:"
    tail -n 30 "$HOME_DIR/npm-install.log" >&2
    exit 1
  }

"$HOME_DIR/node_modules/.bin/code-server" --version >/dev/null 2>&1 || {
  log "code-server was installed but does not start; see $HOME_DIR/npm-install.log"
  exit 1
}
touch "$STAMP"
log "done"
echo "$HOME_DIR"
