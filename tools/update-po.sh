#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Refresh translations.
#
#   tools/update-po.sh              regenerate po/POTFILES.in and po/vireo.pot,
#                                   then msgmerge every language in po/LINGUAS
#   tools/update-po.sh --pot FILE   only extract the strings into FILE
#   tools/update-po.sh --check LANG check (without writing into the tree) that
#                                   po/LANG.po translates every current string:
#                                   no untranslated or fuzzy messages, and
#                                   msgfmt --check passes
#   tools/update-po.sh --stats      print the statistics of every language
#
# Extraction uses the same xgettext options as meson's i18n.gettext(preset:
# 'glib'), so `meson compile vireo-pot` and this script agree.
set -eu

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
root=${VIREO_SOURCE_ROOT:-$(dirname "$(dirname "$self")")}
cd "$root"
domain=vireo

version=$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([^']*\)'.*/\1/p" meson.build | head -n1)

languages() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' po/LINGUAS
}

# extract OUTPUT: write a .pot with every string of the files in POTFILES.in
# that exist (a stale entry is the potfiles-complete test's business).
extract() {
    out=$1
    list=$(mktemp)
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' po/POTFILES.in |
        while IFS= read -r f; do
            if [ -f "$f" ]; then echo "$f"; else echo "warning: $f does not exist" >&2; fi
        done >"$list"
    xgettext \
        --from-code=UTF-8 --add-comments \
        --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
        --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
        --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
        --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
        --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
        --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
        --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
        --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
        --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
        --package-name="$domain" --package-version="$version" \
        --msgid-bugs-address=https://github.com/vireo/vireo/issues \
        --files-from="$list" --output="$out"
    rm -f "$list"
    # xgettext writes nothing when there are no strings; keep a valid empty pot.
    if [ ! -f "$out" ]; then
        printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' >"$out"
    fi
}

# show_msgids PO: print the msgids (with context) of every entry in PO.
show_msgids() {
    msgexec -i "$1" sh -c '[ "$MSGEXEC_MSGID" ] && printf "  %s%s\n" "${MSGEXEC_MSGCTXT:+[$MSGEXEC_MSGCTXT] }" "$MSGEXEC_MSGID" || true' 2>/dev/null || true
}

check() {
    lang=$1
    po=po/$lang.po
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    status=0
    if [ ! -f "$po" ]; then
        echo "$po does not exist"
        exit 1
    fi
    if ! msgfmt --check --check-format -o /dev/null "$po"; then
        echo "msgfmt --check failed for $po"
        status=1
    fi
    extract "$tmp/$domain.pot"
    msgmerge --quiet --previous -o "$tmp/$lang.po" "$po" "$tmp/$domain.pot"
    msgattrib --no-obsolete --untranslated -o "$tmp/untranslated.po" "$tmp/$lang.po"
    msgattrib --no-obsolete --only-fuzzy -o "$tmp/fuzzy.po" "$tmp/$lang.po"
    if [ -f "$tmp/untranslated.po" ] && [ "$(show_msgids "$tmp/untranslated.po")" ]; then
        echo "Untranslated in $po:"
        show_msgids "$tmp/untranslated.po"
        status=1
    fi
    if [ -f "$tmp/fuzzy.po" ] && [ "$(show_msgids "$tmp/fuzzy.po")" ]; then
        echo "Fuzzy (source string changed, check the translation) in $po:"
        show_msgids "$tmp/fuzzy.po"
        status=1
    fi
    if ! msgfmt --check --check-format -o /dev/null "$tmp/$lang.po"; then
        echo "msgfmt --check failed for $po merged with the current strings"
        status=1
    fi
    stats=$(msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
    if [ $status -ne 0 ]; then
        echo "$lang: $stats"
        echo "Run tools/update-po.sh, then translate the new strings in $po."
    else
        echo "$lang: $stats"
    fi
    exit $status
}

case "${1:-}" in
    "")
        tools/update-potfiles.sh
        extract po/$domain.pot
        echo "Wrote po/$domain.pot ($(grep -c '^msgid ' po/$domain.pot) entries, header included)"
        for lang in $(languages); do
            if [ -f "po/$lang.po" ]; then
                msgmerge --quiet --update --backup=none --previous "po/$lang.po" "po/$domain.pot"
            else
                msginit --no-translator --locale="$lang.UTF-8" -i "po/$domain.pot" -o "po/$lang.po"
            fi
            echo "$lang: $(msgfmt --statistics -o /dev/null "po/$lang.po" 2>&1)"
        done
        ;;
    --pot)
        [ $# -eq 2 ] || { echo "usage: $0 --pot FILE" >&2; exit 2; }
        out=$2
        case "$out" in /*) ;; *) out=$OLDPWD/$out ;; esac
        extract "$out"
        ;;
    --check)
        [ $# -eq 2 ] || { echo "usage: $0 --check LANG" >&2; exit 2; }
        check "$2"
        ;;
    --stats)
        for lang in $(languages); do
            echo "$lang: $(msgfmt --statistics -o /dev/null "po/$lang.po" 2>&1)"
        done
        ;;
    -h|--help)
        sed -n '4,16p' "$self" | sed 's/^# \{0,1\}//'
        ;;
    *)
        echo "usage: $0 [--pot FILE | --check LANG | --stats]" >&2
        exit 2
        ;;
esac
