#!/usr/bin/perl
# Interop vectors made by an independent SMPP implementation: Debian's Net::SMPP
# (package libnet-smpp-perl).
#
#   perl crates/smppd-codec/tests/vectors/gen/perl.pl [--out DIR]
#       Encodes every vector below with Net::SMPP's own encoders (its request/response methods,
#       with the socket write captured) and writes DIR/<name>.hex (the whole PDU, lowercase hex,
#       one line) and DIR/<name>.json (the PDU as Net::SMPP's read_pdu decodes those bytes again,
#       rendered with spec field names; see README.md). DIR defaults to
#       crates/smppd-codec/tests/vectors/perl.
#   perl crates/smppd-codec/tests/vectors/gen/perl.pl --check DIR
#       Decodes every DIR/*.hex (made by another implementation) with Net::SMPP and prints where
#       its reading differs from DIR/*.json. Exit 0 even when they differ: differences are
#       library quirks to read, not failures.
#
# Output is deterministic: fixed sequence numbers, no clock.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);
use JSON::PP ();
use Symbol ();

BEGIN {
    eval { require Net::SMPP; 1 }
      or die "perl.pl: Net::SMPP is missing: apt-get install libnet-smpp-perl ($@)\n";
}

my $here = dirname(abs_path(__FILE__));
my $repo = abs_path("$here/../../../../..");
my $spec = do {
    open my $fh, '<', "$here/spec.json" or die "spec.json: $!";
    local $/;
    JSON::PP->new->decode(<$fh>);
};

# ---------------------------------------------------------------------------------------------
# A Net::SMPP object without a socket: syswrite appends to a buffer, sysread reads from one.

package VecSMPP;
our @ISA = ('Net::SMPP');

sub fresh {
    my $me = bless Symbol::gensym(), 'VecSMPP';
    my $defaults = Net::SMPP::Default();
    ${*$me}{$_} = $defaults->{$_} for keys %$defaults;
    $me->set_version(0x34);
    ${*$me}{async} = 1;
    ${*$me}{out} = '';
    ${*$me}{in} = '';
    return $me;
}

sub syswrite {
    my ($me, $data) = @_;
    ${*$me}{out} .= $data;
    return length $data;
}

sub sysread {    # ($me, $buf, $len, $offset), $buf aliased
    my $me = $_[0];
    my ($len, $off) = ($_[2], $_[3] // 0);
    my $chunk = substr(${*$me}{in}, 0, $len, '');
    $_[1] = '' unless defined $_[1];
    $_[1] .= "\0" x ($off - length $_[1]) if length $_[1] < $off;
    substr($_[1], $off) = $chunk;
    return length $chunk;
}

package main;

my $receipt = 'id:1234567890 sub:001 dlvrd:000 submit date:2511210930 done date:2511211030 stat:UNDELIV err:034 text:Your code is 4711';
my $payload = join('', map { chr(0x30 + $_ % 10) } 0 .. 199);

# name => [method, args...]; every argument is what Net::SMPP's encoders take. TLV values are
# raw octets (the library writes them as given), so integers are pack()ed here.
my @vectors = (
    [bind_transmitter => bind_transmitter => (seq => 1, system_id => 'esme-perl', password => 'pw', system_type => '', interface_version => 0x34, addr_ton => 0, addr_npi => 0, address_range => '')],
    [bind_receiver => bind_receiver => (seq => 2, system_id => 'esme-rx', password => 'secret12', system_type => 'RX', interface_version => 0x34, addr_ton => 1, addr_npi => 1, address_range => '4477*')],
    [bind_transceiver => bind_transceiver => (seq => 3, system_id => 'esme-trx', password => 'pw', system_type => 'OTA', interface_version => 0x34, addr_ton => 0, addr_npi => 0, address_range => '')],
    [bind_transmitter_resp => bind_transmitter_resp => (seq => 1, system_id => 'PerlSMSC', sc_interface_version => pack('C', 0x34))],
    # Net::SMPP writes the body even on an error status.
    [bind_receiver_resp_invpaswd => bind_receiver_resp => (seq => 2, status => 0x0e, system_id => 'PerlSMSC')],
    [bind_transceiver_resp => bind_transceiver_resp => (seq => 3, system_id => 'PerlSMSC')],
    [outbind => outbind => (seq => 4, system_id => 'PerlSMSC', password => 'obpw')],
    [unbind => unbind => (seq => 5)],
    [unbind_resp => unbind_resp => (seq => 5)],
    [enquire_link => enquire_link => (seq => 0x7fffffff)],
    [enquire_link_resp => enquire_link_resp => (seq => 0x7fffffff)],
    [generic_nack => generic_nack => (seq => 9, status => 0x01)],
    [submit_sm => submit_sm => (
        seq => 100, service_type => '', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', esm_class => 0, protocol_id => 0,
        priority_flag => 0, schedule_delivery_time => '', validity_period => '000002000000000R', registered_delivery => 1,
        replace_if_present_flag => 0, data_coding => 0, sm_default_msg_id => 0, short_message => 'Hello from Net::SMPP')],
    # Net::SMPP's own GSM 7-bit packing helper (pack_7bit), 16-bit-reference concatenation UDH.
    [submit_sm_udh_packed_7bit => submit_sm => (
        seq => 101, source_addr_ton => 5, source_addr_npi => 0, source_addr => 'PerlCo',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', esm_class => 0x40,
        data_coding => 0, short_message => pack('H*', '060804beef0201') . Net::SMPP::pack_7bit('hello hello'))],
    [submit_sm_sar => submit_sm => (
        seq => 102, source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', data_coding => 0,
        short_message => 'second part',
        sar_msg_ref_num => pack('n', 0xbeef), sar_total_segments => pack('C', 2), sar_segment_seqnum => pack('C', 2),
        user_message_reference => pack('n', 1))],
    [submit_sm_message_payload => submit_sm => (
        seq => 103, service_type => 'USSD', source_addr_ton => 0, source_addr_npi => 1, source_addr => '123',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', esm_class => 0x02, priority_flag => 3,
        schedule_delivery_time => '251122083000000+', validity_period => '251123083000032-', registered_delivery => 0x01,
        data_coding => 0x01, short_message => '', message_payload => $payload, more_messages_to_send => pack('C', 0))],
    [submit_sm_tlv_mix => submit_sm => (
        seq => 104, source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', data_coding => 0, short_message => 'mix',
        source_addr_subunit => pack('C', 2), source_network_type => pack('C', 1), source_bearer_type => pack('C', 1),
        source_telematics_id => pack('C', 0), dest_telematics_id => pack('n', 0x0001), payload_type => pack('C', 1),
        ms_msg_wait_facilities => pack('C', 0x80), privacy_indicator => pack('C', 1), language_indicator => pack('C', 2),
        callback_num => pack('CCCa*', 1, 1, 1, '447700900999'), callback_num_pres_ind => pack('C', 0),
        ussd_service_op => pack('C', 1), sms_signal => pack('n', 3), ms_validity => pack('C', 0),
        display_time => pack('C', 1), alert_on_message_delivery => '', its_reply_type => pack('C', 0),
        its_session_info => pack('H*', '0a00'))],
    [submit_sm_resp => submit_sm_resp => (seq => 100, message_id => '1234567890')],
    [submit_sm_resp_syserr => submit_sm_resp => (seq => 101, status => 0x08, message_id => '')],
    [deliver_sm_receipt => deliver_sm => (
        seq => 200, service_type => '', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900123',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900999', esm_class => 0x04,
        data_coding => 0, short_message => $receipt,
        receipted_message_id => "1234567890\0", message_state => pack('C', 5), network_error_code => pack('Cn', 1, 34))],
    [deliver_sm_receipt_text_only => deliver_sm => (
        seq => 201, source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900123',
        dest_addr_ton => 5, dest_addr_npi => 0, destination_addr => 'PerlCo', esm_class => 0x04, data_coding => 0,
        short_message => 'id:499602D2 sub:001 dlvrd:001 submit date:2511210930 done date:2511210931 stat:DELIVRD err:000 text:')],
    [deliver_sm_resp => deliver_sm_resp => (seq => 200, message_id => '')],
    # A vendor TLV by numeric tag: Net::SMPP picks the integer width from the value.
    [data_sm => data_sm => (
        seq => 300, service_type => '', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123', esm_class => 0,
        registered_delivery => 0, data_coding => 0x08, message_payload => pack('n*', 0x0048, 0x0069, 0x0021),
        source_port => pack('n', 2948), destination_port => pack('n', 2948), 5121 => 300)],
    [data_sm_resp => data_sm_resp => (seq => 300, message_id => 'ds-perl-1', additional_status_info_text => "accepted\0")],
    # Net::SMPP keeps body and TLVs on an error status.
    [data_sm_resp_delivery_failure => data_sm_resp => (
        seq => 301, status => 0xfe, message_id => '', delivery_failure_reason => pack('C', 2),
        network_error_code => pack('Cn', 3, 1), dpf_result => pack('C', 1))],
    [query_sm => query_sm => (seq => 400, message_id => '1234567890', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999')],
    [query_sm_resp => query_sm_resp => (seq => 400, message_id => '1234567890', final_date => '251121103000000+', message_state => 3, error_code => 0x22)],
    [cancel_sm => cancel_sm => (
        seq => 500, service_type => 'CMT', message_id => '', source_addr_ton => 1, source_addr_npi => 1,
        source_addr => '447700900999', dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => '447700900123')],
    [cancel_sm_resp => cancel_sm_resp => (seq => 500)],
    [replace_sm => replace_sm => (
        seq => 600, message_id => '1234567890', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        schedule_delivery_time => '251122100000000+', validity_period => '000000010000000R', registered_delivery => 0,
        sm_default_msg_id => 0, short_message => 'replacement')],
    [replace_sm_resp => replace_sm_resp => (seq => 600)],
    [submit_multi => submit_multi => (
        seq => 700, service_type => '', source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900999',
        dest_flag => [1, 2, 1], dest_addr_ton => [1, 0, 2], dest_addr_npi => [1, 0, 8],
        destination_addr => ['447700900001', 'staff', '07700900002'],
        esm_class => 0, protocol_id => 0, priority_flag => 1, schedule_delivery_time => '', validity_period => '',
        registered_delivery => 0, replace_if_present_flag => 0, data_coding => 0, sm_default_msg_id => 0,
        short_message => 'meeting at 10')],
    [submit_multi_resp => submit_multi_resp => (
        seq => 700, message_id => 'perl-multi', dest_addr_ton => [1, 2], dest_addr_npi => [1, 8],
        destination_addr => ['447700900001', '07700900002'], error_status_code => [0x0b, 0x45])],
    [alert_notification => alert_notification => (
        seq => 800, source_addr_ton => 1, source_addr_npi => 1, source_addr => '447700900123',
        esme_addr_ton => 1, esme_addr_npi => 1, esme_addr => '447700900999', ms_availability_status => pack('C', 1))],
);

# ---------------------------------------------------------------------------------------------
# Decoding with Net::SMPP and rendering with spec names and types (spec.json).

my %tlv_spec = map { hex($_) => $spec->{tlvs}{$_} } keys %{ $spec->{tlvs} };
my %cmd_by_id = map { hex($spec->{commands}{$_}{id}) => $_ } keys %{ $spec->{commands} };

sub num { my $n = 0 + $_[0]; bless \$n, 'Num' }    # a number, for the JSON writer

sub render_tlv {
    my ($type, $raw) = @_;
    my %w = (u8 => 1, u16 => 2, u32 => 4);
    if ($w{$type}) {
        return (num(unpack({ 1 => 'C', 2 => 'n', 4 => 'N' }->{ $w{$type} }, $raw)), undef) if length $raw == $w{$type};
        return (unpack('H*', $raw), "length " . length($raw) . ", spec says $w{$type}");
    }
    if ($type eq 'c') {
        my $s = $raw;
        my $note = $s =~ s/\0\z// ? undef : 'C-string without its NUL';
        return ($s, $note);
    }
    return (unpack('H*', $raw), undef);
}

# Returns (ordered json as nested [k, v] pair lists, notes).
sub decode_render {
    my ($bytes) = @_;
    my @notes;
    local $SIG{__WARN__} = sub { my $w = shift; $w =~ s/ at \S+ line \d+.*\z//s; push @notes, "Net::SMPP warned: $w" };
    my $me = VecSMPP::fresh();
    ${*$me}{in} = $bytes;
    my $pdu = $me->read_pdu() or die "read_pdu failed: " . (${*$me}{smpperror} // '?') . "\n";
    my $name = $cmd_by_id{ $pdu->{cmd} };
    my @json = (command => $name // sprintf('0x%08x', $pdu->{cmd}), command_status => num($pdu->{status}),
        sequence_number => num($pdu->{seq}));
    my (@fields, @tlvs);
    if (!defined $name || !$pdu->{known_pdu}) {
        push @notes, 'Net::SMPP does not know this command_id';
        return ([@json, fields => [], tlvs => []], \@notes);
    }
    my $body = $pdu->{data};
    my $decode = Net::SMPP::pdu_tab()->{ $pdu->{cmd} }{decode};
    my $mandatory = $decode->({ data => $body }, $me);    # the library's own idea of where the TLVs start
    if (length $body) {
        for my $f (@{ $spec->{commands}{$name}{body} }) {
            my ($field, $type) = @$f;
            if ($field eq 'sm_length') {
                push @fields, sm_length => num(length($pdu->{short_message} // ''));
            } elsif ($type eq 'dest_address') {
                my @d;
                for my $i (0 .. $pdu->{number_of_dests} - 1) {
                    if ($pdu->{dest_flag}[$i] == 2) {
                        push @d, [dest_flag => num(2), dl_name => $pdu->{destination_addr}[$i]];
                    } else {
                        push @d, [dest_flag => num($pdu->{dest_flag}[$i]), dest_addr_ton => num($pdu->{dest_addr_ton}[$i]),
                            dest_addr_npi => num($pdu->{dest_addr_npi}[$i]), destination_addr => $pdu->{destination_addr}[$i]];
                    }
                }
                push @fields, dest_address => { list => \@d };
            } elsif ($type eq 'unsuccess_sme') {
                my @u;
                for my $i (0 .. $pdu->{no_unsuccess} - 1) {
                    push @u, [dest_addr_ton => num($pdu->{dest_addr_ton}[$i]), dest_addr_npi => num($pdu->{dest_addr_npi}[$i]),
                        destination_addr => $pdu->{destination_addr}[$i], error_status_code => num($pdu->{error_status_code}[$i])];
                }
                push @fields, unsuccess_sme => { list => \@u };
            } else {
                my $v = $pdu->{$field};
                if (!defined $v) { push @notes, "Net::SMPP decoded no $field"; next }
                push @fields, $field => ($type eq 'u8' ? num($v) : $type eq 'octets' ? unpack('H*', $v) : $v);
            }
        }
    } else {
        push @notes, 'empty body: Net::SMPP would still report its mandatory fields as empty/0' if @{ $spec->{commands}{$name}{body} };
    }
    # TLVs: walk the wire from where the library's decoder stopped, take the library's values.
    my $off = $mandatory;
    my %seen;
    while ($off + 4 <= length $body) {
        my ($tag, $len) = unpack 'nn', substr($body, $off, 4);
        my $raw = $pdu->{$tag};    # Net::SMPP keeps every TLV under its numeric tag
        push @notes, sprintf('TLV 0x%04x: length %d runs past the body', $tag, $len) if $off + 4 + $len > length $body;
        $off += 4 + $len;
        my $s = $tlv_spec{$tag};
        my $key = $s ? $s->[0] : sprintf('0x%04x', $tag);
        push @notes, "$key: occurs more than once; Net::SMPP keeps only the last" if $seen{$tag}++;
        my ($v, $note) = render_tlv($s ? $s->[1] : 'octets', $raw);
        push @notes, "$key: $note" if $note;
        push @tlvs, $key => $v;
    }
    return ([@json, fields => \@fields, tlvs => \@tlvs], \@notes);
}

# A JSON writer that keeps key order and prints like JSON.stringify(v, null, 1).
sub to_json {
    my ($v, $ind) = @_;
    $ind //= '';
    my $in = "$ind ";
    if (ref $v eq 'ARRAY') {    # ordered object
        return '{}' unless @$v;
        my @p;
        for (my $i = 0; $i < @$v; $i += 2) { push @p, $in . to_json_str($v->[$i]) . ': ' . to_json($v->[$i + 1], $in) }
        return "{\n" . join(",\n", @p) . "\n$ind}";
    }
    if (ref $v eq 'HASH') {     # { list => [...] }: a JSON array
        my $l = $v->{list};
        return '[]' unless @$l;
        return "[\n" . join(",\n", map { $in . to_json($_, $in) } @$l) . "\n$ind]";
    }
    return $$v if ref $v eq 'Num';
    return to_json_str($v);
}

sub to_json_str {
    my $s = shift;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\t/\\t/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq("$s");
}

sub generate {
    my ($dir) = @_;
    mkdir $dir unless -d $dir;
    unlink glob("$dir/*.hex"), glob("$dir/*.json");
    my %names;
    for my $v (@vectors) {
        my ($name, $method, @args) = @$v;
        die "duplicate vector $name\n" if $names{$name}++;
        my $me = VecSMPP::fresh();
        my @warn;
        {
            local $SIG{__WARN__} = sub { push @warn, @_ };
            $me->$method(@args);
        }
        die "$name: Net::SMPP warned while encoding: @warn" if @warn;
        my $bytes = ${*$me}{out};
        my ($json, $notes) = decode_render($bytes);
        die "$name: Net::SMPP decoded $json->[1]\n" unless $json->[1] eq $method;
        print "note: perl/$name: $_\n" for @$notes;
        open my $h, '>', "$dir/$name.hex" or die $!;
        print $h unpack('H*', $bytes), "\n";
        close $h;
        open my $j, '>:raw', "$dir/$name.json" or die $!;
        print $j to_json($json), "\n";
        close $j;
    }
    printf "perl: wrote %d vectors to %s\n", scalar @vectors, File::Spec->abs2rel($dir, $repo);
}

sub canon { JSON::PP->new->canonical->allow_nonref->encode($_[0]) }

sub diff {
    my ($a, $b, $where, $out) = @_;
    if (ref $a eq 'HASH' && ref $b eq 'HASH') {
        my %k = map { $_ => 1 } keys %$a, keys %$b;
        for my $k (sort keys %k) {
            if (!exists $a->{$k}) { push @$out, "$where$k: only in the other decoder's reading (" . canon($b->{$k}) . ")" }
            elsif (!exists $b->{$k}) { push @$out, "$where$k: only in this library's reading (" . canon($a->{$k}) . ")" }
            else { diff($a->{$k}, $b->{$k}, "$where$k.", $out) }
        }
    } elsif (canon($a) ne canon($b)) {
        (my $w = $where) =~ s/\.$//;
        push @$out, "$w: this library " . canon($a) . ", other " . canon($b);
    }
}

sub check {
    my ($dir) = @_;
    my @files = sort glob("$dir/*.hex");
    my $differ = 0;
    for my $f (@files) {
        (my $name = $f) =~ s{.*/|\.hex$}{}g;
        open my $h, '<', $f or die $!;
        chomp(my $hex = <$h>);
        open my $j, '<:raw', "$dir/$name.json" or die $!;
        my $expected = JSON::PP->new->decode(do { local $/; <$j> });
        my ($json, $notes) = eval { decode_render(pack 'H*', $hex) };
        if (!$json) { print "DIFF $name: Net::SMPP failed to decode: $@"; $differ++; next }
        my $got = JSON::PP->new->decode(to_json($json));
        my @out;
        diff($got, $expected, '', \@out);
        push @out, map { "note: $_" } @$notes;
        if (@out) { $differ++; print "DIFF $name:\n", map { "    $_\n" } @out }
    }
    printf "Net::SMPP read %d vectors from %s: %d agree, %d differ\n", scalar @files, File::Spec->abs2rel($dir, $repo),
      @files - $differ, $differ;
}

if (@ARGV && $ARGV[0] eq '--check') {
    check(abs_path($ARGV[1]));
} elsif (@ARGV && $ARGV[0] eq '--out') {
    mkdir $ARGV[1] unless -d $ARGV[1];
    generate(abs_path($ARGV[1]));
} elsif (!@ARGV) {
    generate(abs_path("$here/..") . '/perl');
} else {
    die "usage: perl.pl [--out DIR | --check DIR]\n";
}
