#!/usr/bin/perl
# A small SMSC built on Debian's Net::SMPP (libnet-smpp-perl) acting as a server, for smppd's
# interoperability tests (tests/tests/interop.rs). The point is a peer no one here wrote: framing
# (read_pdu), decoding and every PDU written (the *_resp methods, deliver_sm, enquire_link,
# unbind) are the library's; this script only multiplexes sockets and reports.
#
#   perl tests/interop/smsc.pl SYSTEM_ID PASSWORD
#
# Speaks the stdout / stdin protocol of tests/interop/smsc.js (read its header), with these
# differences, which are Net::SMPP's:
#   - TLV values are hex whatever their type: Net::SMPP keeps every TLV as the octets received
#     (it has no notion of TLV types), under its own name (the 3.4 spec's) or "0x1400".
#   - No "text" / "payload_text": Net::SMPP has no text decoders.
#   - "warnings": what Net::SMPP warned while reading the PDU (it warns on every TLV it does not
#     know), when it did.
#   - Message ids are "perl-N"; the receipt text goes out as data_coding 0.
#   - {"mo":{..}}: mandatory deliver_sm fields by name; "hex" is sent as is, "text" as UTF-16BE
#     when data_coding is 8, else as its UTF-8 octets.
# Net::SMPP reads a PDU with blocking reads once select() says the socket is readable; that is
# fine for a test peer, and is how the library is meant to be used (one process per client).
# Exits when stdin closes or after 120 s.
use strict;
use warnings;
use IO::Select;
use JSON::PP ();
use Encode ();

BEGIN {
    eval { require Net::SMPP; 1 }
      or do { print STDERR "smsc.pl: Net::SMPP is missing: apt-get install libnet-smpp-perl ($@)\n"; exit 2 };
}

my ($system_id, $password) = @ARGV;
defined $password or die "usage: perl smsc.pl SYSTEM_ID PASSWORD\n";

$SIG{ALRM} = sub { print STDERR "smsc.pl: 120 s are up; exiting\n"; exit 0 };
alarm 120;
$SIG{PIPE} = 'IGNORE';
$| = 1;

# UTF-8 in both directions: command lines arrive as bytes, and so do our lines out.
my $json = JSON::PP->new->utf8->canonical;
sub say_json { print $json->encode($_[0]), "\n" }
sub num { 0 + $_[0] }

# submit_sm's mandatory fields as Net::SMPP names them (the spec's), with how to render them.
my @submit_fields = (
    [service_type => 'c'], [source_addr_ton => 'u8'], [source_addr_npi => 'u8'], [source_addr => 'c'],
    [dest_addr_ton => 'u8'], [dest_addr_npi => 'u8'], [destination_addr => 'c'], [esm_class => 'u8'],
    [protocol_id => 'u8'], [priority_flag => 'u8'], [schedule_delivery_time => 'c'], [validity_period => 'c'],
    [registered_delivery => 'u8'], [replace_if_present_flag => 'u8'], [data_coding => 'u8'],
    [sm_default_msg_id => 'u8'], [short_message => 'octets'],
);
my @bind_fields = (
    [system_id => 'c'], [password => 'c'], [system_type => 'c'], [interface_version => 'u8'],
    [addr_ton => 'u8'], [addr_npi => 'u8'], [address_range => 'c'],
);
my %binds = (0x00000009 => 'bind_transceiver', 0x00000002 => 'bind_transmitter', 0x00000001 => 'bind_receiver');
my %bind_resp = (
    bind_transceiver => 'bind_transceiver_resp',
    bind_transmitter => 'bind_transmitter_resp',
    bind_receiver    => 'bind_receiver_resp',
);

sub render_fields {
    my ($pdu, $spec) = @_;
    my %out;
    for (@$spec) {
        my ($name, $type) = @$_;
        my $v = $pdu->{$name};
        next unless defined $v;
        $out{$name} = $type eq 'u8' ? num($v) : $type eq 'octets' ? unpack('H*', $v) : $v;
    }
    return \%out;
}

# The TLVs as Net::SMPP read them: walk the body from where the library's own decoder says the
# mandatory part ends, and take the library's value for each tag.
sub render_tlvs {
    my ($me, $pdu) = @_;
    my $body = $pdu->{data};
    my $off = Net::SMPP::pdu_tab()->{ $pdu->{cmd} }{decode}->({ data => $body }, $me);
    my %out;
    while ($off + 4 <= length $body) {
        my ($tag, $len) = unpack 'nn', substr($body, $off, 4);
        $off += 4 + $len;
        my $spec = Net::SMPP::param_tab()->{$tag};
        my $name = $spec ? $spec->{name} : sprintf('0x%04x', $tag);
        $out{$name} = unpack 'H*', $pdu->{$tag};
    }
    return \%out;
}

my $listener = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34, async => 1, timeout => 5)
  or die "smsc.pl: cannot listen: $!\n";
say_json({ port => num($listener->sockport) });

my $select = IO::Select->new($listener, \*STDIN);
my %session;    # fileno => { smpp, bound, pending => { seq => what } }
my $last;       # the last bound receiving session: where stdin's commands go
my $next_id = 1;
my @refusals;    # statuses for the next submit_sm responses, from {"refuse":[..]}
my $stdin = '';

while (1) {
    for my $fh ($select->can_read) {
        if ($fh == $listener) {
            my $smpp = $listener->accept or next;
            ${*$smpp}{async} = 1;
            $session{ fileno $smpp } = { smpp => $smpp, pending => {} };
            $select->add($smpp);
        } elsif ($fh == \*STDIN) {
            my $n = sysread STDIN, $stdin, 65536, length $stdin;
            exit 0 unless $n;
            while ($stdin =~ s/^(.*?)\n//) {
                my $line = $1;
                next unless $line =~ /\S/;
                my $cmd = eval { $json->decode($line) } or do { print STDERR "smsc.pl: bad command line: $line\n"; next };
                if ($cmd->{refuse}) {
                    push @refusals, @{ $cmd->{refuse} };
                    say_json({ command => 'refusing', statuses => [map { num($_) } @refusals] });
                } elsif ($last) {
                    command($last, $cmd);
                } else {
                    print STDERR "smsc.pl: no bound session for $line\n";
                }
            }
        } else {
            my $s = $session{ fileno $fh };
            my @warnings;
            my $pdu = do {
                local $SIG{__WARN__} = sub { (my $w = shift) =~ s/ at \S+ line \d+.*\z//s; push @warnings, $w };
                $s->{smpp}->read_pdu;
            };
            if (!$pdu) {
                $select->remove($fh);
                delete $session{ fileno $fh };
                $last = undef if $last && $last == $s;
                close $fh;
                say_json({ command => 'closed' });
                next;
            }
            handle($s, $pdu, \@warnings);
        }
    }
}

sub handle {
    my ($s, $pdu, $warnings) = @_;
    my $smpp = $s->{smpp};
    my ($cmd, $seq) = ($pdu->{cmd}, $pdu->{seq});
    my $name = Net::SMPP::pdu_tab()->{$cmd} ? Net::SMPP::pdu_tab()->{$cmd}{cmd} : sprintf('0x%08x', $cmd);
    my %line = (command => $name, sequence_number => num($seq));
    $line{warnings} = $warnings if @$warnings;

    if (my $bind = $binds{$cmd}) {
        my $ok = $pdu->{system_id} eq $system_id && $pdu->{password} eq $password;
        my $status = $ok ? 0 : 0x0d;    # ESME_RBINDFAIL
        say_json({ %line, fields => render_fields($pdu, \@bind_fields), command_status => $status });
        my $method = $bind_resp{$bind};
        $smpp->$method(seq => $seq, status => $status, system_id => 'perl-smsc');
        if ($ok) {
            $s->{bound} = $bind;
            $last = $s if $bind ne 'bind_transmitter';
        }
    } elsif ($cmd & 0x80000000) {
        my $what = delete $s->{pending}{$seq};
        $line{command_status} = num($pdu->{status});
        %line = (%line, %$what) if $name eq 'deliver_sm_resp' && $what;
        say_json(\%line);
        if ($name eq 'unbind_resp') {
            $smpp->shutdown(1);
        }
    } elsif ($name eq 'enquire_link') {
        say_json(\%line);
        $smpp->enquire_link_resp(seq => $seq);
    } elsif ($name eq 'unbind') {
        say_json(\%line);
        $smpp->unbind_resp(seq => $seq);
        $smpp->shutdown(1);    # the ESME closes; we see EOF and report "closed"
    } elsif ($name eq 'submit_sm') {
        if (!$s->{bound} || $s->{bound} eq 'bind_receiver') {
            say_json({ %line, command_status => 0x04, message_id => undef });
            $smpp->submit_sm_resp(seq => $seq, status => 0x04, message_id => '');    # ESME_RINVBNDSTS
            return;
        }
        my $status = @refusals ? shift @refusals : 0;
        my $id = $status ? undef : 'perl-' . $next_id++;
        my $hex = unpack 'H*', pack('NNNN', 16 + length $pdu->{data}, $cmd, $pdu->{status}, $seq) . $pdu->{data};
        say_json({ %line, command_status => num($status), message_id => $id, hex => $hex,
            fields => render_fields($pdu, \@submit_fields), tlvs => render_tlvs($smpp, $pdu) });
        # Net::SMPP writes the body of an error response too (here an empty message_id).
        $smpp->submit_sm_resp(seq => $seq, status => $status, message_id => $id // '');
        if (!$status && ($pdu->{registered_delivery} & 0x01) && $s->{bound} ne 'bind_transmitter') {
            # Net::SMPP writes TLV values as given: the C-string's NUL and the integer's octet are
            # ours to add.
            my $rseq = $smpp->deliver_sm(
                async => 1,
                source_addr_ton => $pdu->{dest_addr_ton}, source_addr_npi => $pdu->{dest_addr_npi},
                source_addr => $pdu->{destination_addr},
                dest_addr_ton => $pdu->{source_addr_ton}, dest_addr_npi => $pdu->{source_addr_npi},
                destination_addr => $pdu->{source_addr},
                esm_class => 0x04, data_coding => 0,
                short_message => "id:$id sub:001 dlvrd:001 submit date:2611221200 done date:2611221201 stat:DELIVRD err:000 text:",
                receipted_message_id => "$id\0", message_state => pack('C', 2),
            );
            $s->{pending}{$rseq} = { kind => 'receipt', message_id => $id };
        }
    } else {
        say_json({ %line, unhandled => JSON::PP::true });
        $smpp->generic_nack(seq => $seq, status => 0x03);    # ESME_RINVCMDID
    }
}

sub command {
    my ($s, $cmd) = @_;
    my $smpp = $s->{smpp};
    if (my $mo = $cmd->{mo}) {
        my %o = %$mo;
        my $text = delete $o{text};
        my $hex = delete $o{hex};
        my $dc = $o{data_coding} // 0;
        $o{short_message} =
            defined $hex ? pack('H*', $hex)
          : $dc == 8     ? Encode::encode('UTF-16BE', $text // '')
          :                Encode::encode('UTF-8', $text // '');
        my $seq = $smpp->deliver_sm(async => 1, %o);
        $s->{pending}{$seq} = { kind => 'mo' };
    } elsif ($cmd->{enquire_link}) {
        $smpp->enquire_link(async => 1);
    } elsif ($cmd->{unbind}) {
        $smpp->unbind(async => 1);
    } else {
        print STDERR "smsc.pl: unknown command " . $json->encode($cmd) . "\n";
    }
}
