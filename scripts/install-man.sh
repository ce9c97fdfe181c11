#!/bin/sh
# meson install script: the man pages and shell completions the build
# generated with `pc completion` (see meson.build) go to their places
# under the install prefix.
set -eu
gen=$1
dest=${MESON_INSTALL_DESTDIR_PREFIX:?}
mkdir -p "$dest/share/man/man1" "$dest/share/bash-completion/completions" \
    "$dest/share/zsh/site-functions" "$dest/share/fish/vendor_completions.d"
for p in "$gen"/man1/*.1; do
    install -m 0644 "$p" "$dest/share/man/man1/"
done
install -m 0644 "$gen/completions/pc.bash" "$dest/share/bash-completion/completions/pc"
install -m 0644 "$gen/completions/_pc" "$dest/share/zsh/site-functions/_pc"
install -m 0644 "$gen/completions/pc.fish" "$dest/share/fish/vendor_completions.d/pc.fish"
