#!/usr/bin/env bash
# Makes the grapheme-to-phoneme split that `recur translate` is measured on,
# from data/cache/cmudict.tsv (scripts/fetch_data.sh cmudict):
#
#   data/cache/g2p/train.tsv   16,000 words
#   data/cache/g2p/valid.tsv    2,000 words
#   data/cache/g2p/test.tsv     2,000 words
#
# Each line is "word<TAB>PH PH ...": the word in lower case, its first
# pronunciation in ARPAbet with the stress digits removed (AH0 -> AH).
# Words are those of 1 to 12 letters A-Z only (no apostrophes, dots or
# digits). The order is fixed without a random generator: words are sorted
# by the MD5 of "g2p:" followed by the word, and the first 20,000 are cut
# 80/10/10 in that order. The same dictionary gives the same files on any
# machine; the script prints their sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
IN=data/cache/cmudict.tsv
OUT=data/cache/g2p
[ -f "$IN" ] || scripts/fetch_data.sh cmudict
mkdir -p "$OUT"
perl -MDigest::MD5=md5_hex -e '
    use strict; use warnings;
    my ($in, $out) = @ARGV;
    open(my $h, "<", $in) or die "$in: $!\n";
    my %ph;
    while (my $line = <$h>) {
        chomp $line;
        my ($word, $p) = split /\t/, $line;
        next unless defined $p && $word =~ /^[A-Z]{1,12}$/;
        $p =~ s/\d//g;
        $ph{lc $word} = $p;
    }
    my @words = sort { md5_hex("g2p:$a") cmp md5_hex("g2p:$b") } keys %ph;
    die "expected at least 20000 words, got " . @words . "\n" if @words < 20000;
    my @parts = (["train", 0, 16000], ["valid", 16000, 18000], ["test", 18000, 20000]);
    for my $part (@parts) {
        my ($name, $from, $to) = @$part;
        open(my $o, ">", "$out/$name.tsv.tmp") or die "$out/$name.tsv.tmp: $!\n";
        print $o "$words[$_]\t$ph{$words[$_]}\n" for $from .. $to - 1;
        close($o) or die "$out/$name.tsv.tmp: $!\n";
        rename("$out/$name.tsv.tmp", "$out/$name.tsv") or die "$out/$name.tsv: $!\n";
    }
' "$IN" "$OUT"
for part in train valid test; do
    echo "$OUT/$part.tsv: $(wc -l < "$OUT/$part.tsv") words, sha256 $(sha256sum "$OUT/$part.tsv" | cut -d' ' -f1)"
done
