#!/usr/bin/env bash
# Installs the applications of the truth corpus (bench/truth/corpus/*.json) from Debian packages and
# npm, and prepares each under ~/.cache/techscaniq/truth. Idempotent: what is
# installed and built is kept; run it again after a change. Needs root (apt-get) and the package
# mirrors; `./techscaniq bench truth` then serves each app on 127.0.0.1 (bench/src/_truth-apps.ts).
set -euo pipefail

CACHE="$HOME/.cache/techscaniq/truth"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$CACHE"

DEBIAN_PACKAGES=(
  apache2 nginx lighttpd
  php-cli php-xml php-mbstring php-intl php-sqlite3
  dokuwiki mediawiki phpmyadmin adminer roundcube roundcube-sqlite3
  hugo jekyll ruby-webrick tomcat10
)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  # Packages that would configure a database or a web server ask first; the corpus needs neither.
  debconf-set-selections <<'SEL'
phpmyadmin phpmyadmin/dbconfig-install boolean false
phpmyadmin phpmyadmin/reconfigure-webserver multiselect
roundcube-core roundcube/dbconfig-install boolean false
roundcube-core roundcube/reconfigure-webserver multiselect
SEL
  # No service may start on port 80 while installing: the runner starts each app on its own port.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Static-site generators from Debian: a small Hugo site with the head every theme has, Jekyll's scaffold.
if [ ! -f "$CACHE/hugo/public/index.html" ]; then
  rm -rf "$CACHE/hugo" && cp -r "$HERE/hugo" "$CACHE/hugo"
  (cd "$CACHE/hugo" && hugo >/dev/null)
fi
if [ ! -f "$CACHE/jekyll/_site/index.html" ]; then
  rm -rf "$CACHE/jekyll"
  jekyll new --blank "$CACHE/jekyll" >/dev/null
  (cd "$CACHE/jekyll" && jekyll build >/dev/null)
fi

# MediaWiki installed on SQLite; the server name follows each request, as the port changes per run.
if [ ! -f "$CACHE/mediawiki/LocalSettings.php" ]; then
  rm -rf "$CACHE/mediawiki" && mkdir -p "$CACHE/mediawiki/data"
  php /usr/share/mediawiki/maintenance/install.php --dbtype sqlite --dbpath "$CACHE/mediawiki/data" \
    --server http://127.0.0.1 --scriptpath "" --pass "truth-corpus-admin" \
    --confpath "$CACHE/mediawiki" "Truth Wiki" Admin >/dev/null
  echo '$wgServer = WebRequest::detectServer();' >>"$CACHE/mediawiki/LocalSettings.php"
fi

# Roundcube on SQLite (the runner passes ROUNDCUBE_DB_DSNW), its schema from the package's SQL.
if [ ! -f "$CACHE/roundcube/roundcube.db" ]; then
  mkdir -p "$CACHE/roundcube"
  php -r '$db = new PDO("sqlite:" . $argv[1]); $db->exec(file_get_contents($argv[2]));' \
    "$CACHE/roundcube/roundcube.db.new" /usr/share/roundcube/SQL/sqlite.initial.sql
  mv "$CACHE/roundcube/roundcube.db.new" "$CACHE/roundcube/roundcube.db"
fi

# npm applications, pinned: each is a scaffold like the framework's own starter, built for production.
for app in next astro vitepress eleventy; do
  dir="$CACHE/npm/$app"
  if [ ! -f "$dir/.built" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    cp -r "$HERE/npm/$app/." "$dir/"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error && npm run build && touch .built)
  fi
done
echo "truth corpus installed in $CACHE"
