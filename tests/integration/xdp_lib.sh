# Shared setup of the XDP filter tests: sourced by tests/integration/xdp_*.sh,
# never run itself (not executable). Two network namespaces joined by a veth
# pair; the filter sits on the B side, traffic comes from A. Pins go to a
# private bpffs under $TMP, so nothing on the host is touched.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd nsenter
need_cmd python3

veth_pair x

# nsenter keeps our mount namespace (ip netns exec would remount /sys),
# so every command sees the same bpffs.
ina() { nsenter --net="/run/netns/$NA" "$@"; }
inb() { nsenter --net="/run/netns/$NB" "$@"; }
mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" || skip "cannot mount a bpffs"
at_exit "umount $TMP/bpffs"
PIN=$TMP/bpffs/$IFB
net() { inb "$BPFGUARD" net "$@"; }

ina ip link set lo up
inb ip link set lo up
# (/sys is the host's here: ask ip)
mac_of() { "$1" ip -br link show dev "$2" | awk '{print $3}'; }
MAC_B=$(mac_of inb "$IFB")

# stats_get EXPR: evaluate a Python expression over `net stats --json` (d is
# the first filter, r its reasons) and print it (a tuple: its items, on one
# line, so that one call reads several counters).
stats_get() {
	net stats -p "$PIN" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["filters"][0]
r = d["reasons"]
v = eval(sys.argv[1])
print(*v) if isinstance(v, tuple) else print(v)' "$1"
}

# rawsend COUNT KIND [ARGS...]: craft frames in namespace A and send each
# COUNT times through the veth with a packet socket.
FRAMES_PY='
import socket, struct, sys
ifname, dmac, count, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
args = sys.argv[5:]
dst = bytes.fromhex(dmac.replace(":", ""))
src = bytes.fromhex("020000000001")

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def eth(proto, tags=()):
    h = dst + src
    for i, t in enumerate(tags):
        h += struct.pack("!HH", t, 10 + i)
    return h + struct.pack("!H", proto)

def ip4(saddr, daddr, proto, payload, ihl=5, frag=0, tot=None):
    opts = b"\x01" * (ihl * 4 - 20) if ihl >= 5 else b""
    tot = tot if tot is not None else ihl * 4 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, proto, 0,
                    socket.inet_aton(saddr), socket.inet_aton(daddr)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

def ip6(saddr, daddr, nh, payload, plen=None):
    plen = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, 64,
                       socket.inet_pton(socket.AF_INET6, saddr),
                       socket.inet_pton(socket.AF_INET6, daddr)) + payload

def udp(dport, data=b"x" * 18):
    return struct.pack("!HHHH", 40000, dport, 8 + len(data), 0) + data

def tcp(dport, doff=5):
    return struct.pack("!HHIIBBHHH", 40000, dport, 1, 0, doff << 4, 2, 65535, 0, 0)

f = None
if kind == "udp4":      # VLAN-TAGS SRC DST DPORT (tags: 0, 1 or 2 = QinQ)
    tags = ((), (0x8100,), (0x88a8, 0x8100))[int(args[0])]
    f = eth(0x0800, tags) + ip4(args[1], args[2], 17, udp(int(args[3])))
elif kind == "tcp4":
    tags = ((), (0x8100,), (0x88a8, 0x8100))[int(args[0])]
    f = eth(0x0800, tags) + ip4(args[1], args[2], 6, tcp(int(args[3])))
elif kind == "udp6":
    tags = ((), (0x8100,), (0x88a8, 0x8100))[int(args[0])]
    f = eth(0x86dd, tags) + ip6(args[1], args[2], 17, udp(int(args[3])))
elif kind == "tcp6":
    tags = ((), (0x8100,), (0x88a8, 0x8100))[int(args[0])]
    f = eth(0x86dd, tags) + ip6(args[1], args[2], 6, tcp(int(args[3])))
# Malformed frames: the filter must count them and never read past the end.
elif kind == "short-vlan":
    f = eth(0x8100)
elif kind == "three-tags":
    f = eth(0x0800, (0x88a8, 0x8100, 0x8100)) + ip4("10.77.0.1", "10.77.0.2", 17, udp(5001))
elif kind == "short-ip4":
    f = eth(0x0800) + b"\x45\x00\x00"
elif kind == "ihl4":
    f = eth(0x0800) + ip4("10.77.0.1", "10.77.0.2", 17, udp(5001), ihl=4)
elif kind == "totlen-past-end":
    f = eth(0x0800) + ip4("10.77.0.1", "10.77.0.2", 17, udp(5001), tot=1400)
elif kind == "short-tcp":
    f = eth(0x0800) + ip4("10.77.0.1", "10.77.0.2", 6, tcp(5000)[:12], tot=40)
elif kind == "tcp-doff":
    f = eth(0x0800) + ip4("10.77.0.1", "10.77.0.2", 6, tcp(5000, doff=15))
elif kind == "short-ip6":
    f = eth(0x86dd) + ip6("fd77::1", "fd77::2", 17, b"")[:30]
elif kind == "ext-loop":  # eight destination-options headers
    ext = b"".join(struct.pack("!BB6s", 60 if i < 7 else 17, 0, b"\x01\x04" + b"\0" * 4) for i in range(8))
    f = eth(0x86dd) + ip6("fd77::1", "fd77::2", 60, ext + udp(5001))
elif kind == "ext-past-end":
    f = eth(0x86dd) + ip6("fd77::1", "fd77::2", 0, struct.pack("!BB6s", 17, 200, b"\x01\x04" + b"\0" * 4))
else:
    sys.exit("unknown frame kind " + kind)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for _ in range(count):
    s.send(f)
'
rawsend() { ina python3 -c "$FRAMES_PY" "$IFA" "$MAC_B" "$@"; }
