#!/bin/sh
# Chromium refuses its sandbox as root. The renderer, running as root, starts this instead of Chromium:
# it hands the profile Playwright created to the browser user, then runs Chromium as that user.
# setpriv keeps the pipe descriptors (3 and 4) Playwright talks over.
set -eu
uid=$TECHSCANIQ_BROWSER_UID
gid=$TECHSCANIQ_BROWSER_GID
chromium=$TECHSCANIQ_BROWSER_EXECUTABLE
unset TECHSCANIQ_BROWSER_UID TECHSCANIQ_BROWSER_GID TECHSCANIQ_BROWSER_EXECUTABLE
for arg in "$@"; do
  case "$arg" in
    --user-data-dir=*) chown -R "$uid:$gid" "${arg#--user-data-dir=}" ;;
  esac
done
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$chromium" "$@"
