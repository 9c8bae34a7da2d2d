#!/usr/bin/env bash
# Splits the datasets of data/cache/ (written by scripts/fetch_data.sh, run
# first for the missing ones) into the training, validation and test files
# the README's classify and tag examples use:
#
#   polarity.{train,valid,test}.tsv  sentence polarity, 3,200 / 400 / 400
#   names.{train,valid,test}.tsv     first names by gender, 6,402 / 800 / 801
#       both 80/10/10 in a seeded shuffled order: lines sorted by the MD5 of
#       "SEED:LINE_NUMBER" (SEED = 1), the same on every machine
#   brown.{train,valid,test}.txt     the first 20,000 sentences of the Brown
#       corpus, 16,000 / 2,000 / 2,000 in file order, with coarsened tags
#       (see coarse() below)
#
#   scripts/split_data.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=data/cache
SEED=1

need=()
for f in polarity.tsv names_gender.tsv brown_pos.txt; do [ -f "$CACHE/$f" ] || need+=("$f"); done
if [ ${#need[@]} -gt 0 ]; then
    datasets=()
    for f in "${need[@]}"; do
        case $f in polarity.tsv) datasets+=(polarity) ;; names_gender.tsv) datasets+=(names_gender) ;; brown_pos.txt) datasets+=(brown) ;; esac
    done
    scripts/fetch_data.sh "${datasets[@]}"
fi

# shuffled_split INPUT PREFIX EXT: 80/10/10 of INPUT's lines in the seeded order
shuffled_split() {
    perl -e '
        use strict; use warnings; use Digest::MD5 qw(md5_hex);
        my ($in, $prefix, $ext, $seed) = @ARGV;
        open(my $h, "<", $in) or die "$in: $!\n";
        my @lines = <$h>;
        my @order = sort { md5_hex("$seed:$a") cmp md5_hex("$seed:$b") } 1 .. @lines;
        my $n = @lines; my $train = int($n * 0.8); my $valid = int($n * 0.1);
        my %parts = (train => [0, $train], valid => [$train, $train + $valid], test => [$train + $valid, $n]);
        for my $p (sort keys %parts) {
            my ($a, $b) = @{$parts{$p}};
            open(my $o, ">", "$prefix.$p.$ext.tmp") or die "$prefix.$p.$ext: $!\n";
            print $o $lines[$order[$_] - 1] for $a .. $b - 1;
            close $o or die; rename "$prefix.$p.$ext.tmp", "$prefix.$p.$ext" or die;
            printf "%s.%s.%s: %d lines\n", $prefix, $p, $ext, $b - $a;
        }
    ' "$1" "$2" "$3" "$SEED"
}

shuffled_split "$CACHE/polarity.tsv" "$CACHE/polarity" tsv
shuffled_split "$CACHE/names_gender.tsv" "$CACHE/names" tsv

# The Brown tags, coarsened as in the usual "simplified" Brown tag set:
# lowercase, without the foreign-word prefix fw-, a compound tag
# (contractions: "ppss+md" for "I'll") as its first part, and without the
# title, headline and cited suffixes -tl -hl -nc ("nn-tl-hl" is "nn").
# The other distinctions stay: 102 tags in the training part.
perl -e '
    use strict; use warnings;
    my ($in, $prefix) = @ARGV;
    sub coarse {
        my $t = lc shift;
        $t =~ s/^fw-//;
        $t = (split /\+/, $t)[0];
        1 while $t =~ s/-(?:tl|hl|nc)$//;
        return $t;
    }
    open(my $h, "<", $in) or die "$in: $!\n";
    my @parts = ([train => 16000], [valid => 2000], [test => 2000]);
    for my $p (@parts) {
        my ($name, $count) = @$p;
        open(my $o, ">", "$prefix.$name.txt.tmp") or die "$prefix.$name.txt: $!\n";
        for (1 .. $count) {
            my $line = <$h> // die "$in: fewer than 20000 sentences\n";
            print $o join(" ", map { m{^(.+)/([^/]+)$} or die "bad token $_\n"; "$1/" . coarse($2) } split " ", $line), "\n";
        }
        close $o or die; rename "$prefix.$name.txt.tmp", "$prefix.$name.txt" or die;
        printf "%s.%s.txt: %d sentences\n", $prefix, $name, $count;
    }
' "$CACHE/brown_pos.txt" "$CACHE/brown"
