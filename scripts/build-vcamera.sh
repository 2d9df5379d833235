#!/usr/bin/env bash
# Test fixture: libgphoto2 2.5.30 with its virtual USB camera (the "vusb" port driver and the
# "vcamera" PTP emulation of a Nikon D750), built from Debian's source package into
# target/vcamera/prefix. The kiosk's real libgphoto2 backend is tested against it; nothing of
# it is installed system-wide. Idempotent: a second run does nothing.
#
# The patches applied below (see docs/camera.md for why):
#   1. `#undef FUZZ_PTP` removed, so the virtual camera answers USB detection as a D750;
#   2. the virtual card's directory comes from $VCAMERADIR when set (it is a compile-time path);
#   3. the synthetic DCIM entry is named "DCIM" (an empty name crashes capture);
#   4. $VCAMERA_UNPLUGGED_FLAG names a file: while it exists the camera is "unplugged"
#      (detection finds nothing, every transfer fails), so tests can pull the cable;
#   5. $VCAMERA_CAPTURES_LEFT sets how many captures fit before the store is full (default 26);
#   6. Nikon live view (scripts/vcamera/liveview.c: StartLiveView, EndLiveView, GetLiveViewImg,
#      DeviceReady, LiveViewStatus, LiveViewProhibitCondition), frames from $VCAMERA_LIVEVIEW_DIR,
#      with faults from $VCAMERA_LIVEVIEW_*; the model string becomes "D750" (with "VC",
#      libgphoto2 takes the camera for a Nikon 1 once it lists StartLiveView); setting a
#      property the camera lacks is answered once, not twice (which desynchronised the session).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/target/vcamera"
prefix="$root/prefix"
stamp="$prefix/.built-6b"
liveview_c="$PWD/scripts/vcamera/liveview.c"
if [ -f "$stamp" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=(build-essential autoconf automake libtool autopoint libltdl-dev pkg-config dpkg-dev)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ! -f /etc/apt/sources.list.d/photo-kiosk-src.sources ] && ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Debian's source packages: a copy of the binary entries with Types: deb-src.
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
    $SUDO tee /etc/apt/sources.list.d/photo-kiosk-src.sources >/dev/null
  updated=0
else
  updated=1
fi
if [ ${#missing[@]} -gt 0 ] || [ "$updated" -eq 0 ]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

rm -rf "$root/src"
mkdir -p "$root/src"
cd "$root/src"
apt-get source --download-only libgphoto2=2.5.30-1 >/dev/null 2>&1 || apt-get source --download-only libgphoto2 >/dev/null
tar xf libgphoto2_2.5.30.orig.tar.xz
cd libgphoto2-2.5.30/libgphoto2_port/vusb

# 1. Detectable as a USB camera.
sed -i '/^#undef FUZZ_PTP$/d' vcamera.h
# 2. Card directory from the environment.
sed -i 's|\tread_tree(VCAMERADIR);|\tread_tree(getenv("VCAMERADIR") ? getenv("VCAMERADIR") : VCAMERADIR);|' vcamera.c
# 3. The synthetic DCIM entry gets its name.
sed -i 's|\t\tdcim->name = strdup("");|\t\tdcim->name = strdup("DCIM");|' vcamera.c
# 5. Store size from the environment (each capture takes two numbers of the counter; full above 150).
python3 - <<'EOF'
import re
p = "vcamera.c"
s = open(p).read()
old = "\tstatic int\t\tcapcnt = 98;\n\tchar\t\t\tbuf[10];\n\n\tCHECK_SEQUENCE_NUMBER();"
assert old in s, "initiatecapture counter not found"
s = s.replace(old, "\tstatic int\t\tcapcnt = -1;\n\tchar\t\t\tbuf[10];\n\n\tif (capcnt < 0) {\n\t\tconst char *left = getenv(\"VCAMERA_CAPTURES_LEFT\");\n\t\tcapcnt = left ? 151 - 2 * atoi(left) : 98;\n\t}\n\tCHECK_SEQUENCE_NUMBER();", 1)
open(p, "w").write(s)

# 4. Unplugging: a flag file makes detection and every transfer fail.
p = "vusb.c"
s = open(p).read()
helper = """
#include <unistd.h>
static int
vusb_unplugged (void)
{
\tconst char *flag = getenv ("VCAMERA_UNPLUGGED_FLAG");
\treturn flag && access (flag, F_OK) == 0;
}
"""
s = s.replace("static int\ngp_port_vusb_open (GPPort *port)", helper + "\nstatic int\ngp_port_vusb_open (GPPort *port)", 1)
for fn in ["gp_port_vusb_open (GPPort *port)", "gp_port_vusb_write (GPPort *port, const char *bytes, int size)",
           "gp_port_vusb_read(GPPort *port, char *bytes, int size)",
           "gp_port_vusb_check_int (GPPort *port, char *bytes, int size, int timeout)",
           "gp_port_vusb_find_device_lib(GPPort *port, int idvendor, int idproduct)",
           "gp_port_vusb_find_device_by_class_lib(GPPort *port, int class, int subclass, int protocol)"]:
    i = s.index(fn)
    j = s.index("{", i) + 1
    s = s[:j] + "\n\tif (vusb_unplugged ()) return GP_ERROR_IO_USB_FIND;" + s[j:]
open(p, "w").write(s)
EOF
# 6. Nikon live view.
LIVEVIEW_C="$liveview_c" python3 - <<'EOF'
import os
def sub(p, old, new):
    s = open(p).read()
    assert s.count(old) == 1, (p, old)
    open(p, "w").write(s.replace(old, new, 1))
sub("vcamera.h", "\tunsigned int\tfnumber;\n", "\tunsigned int\tfnumber;\n"
    "\tint\t\tliveview;\n\tunsigned int\tlvframes, lvbusyframes;\n\tlong long\tlvbusyuntil;\n")
c = "vcamera.c"
sub(c, "static int ptp_nikon_setcontrolmode_write(vcamera *cam, ptpcontainer *ptp);\n",
    "static int ptp_nikon_setcontrolmode_write(vcamera *cam, ptpcontainer *ptp);\n"
    + "".join("static int ptp_nikon_%s_write(vcamera *cam, ptpcontainer *ptp);\n" % n
              for n in ("deviceready", "startliveview", "endliveview", "getliveviewimg")))
sub(c, "\t{0x90c2,\tptp_nikon_setcontrolmode_write, NULL\t\t\t},\n",
    "\t{0x90c2,\tptp_nikon_setcontrolmode_write, NULL\t\t\t},\n"
    "\t{0x90c8,\tptp_nikon_deviceready_write, NULL },\n"
    "\t{0x9201,\tptp_nikon_startliveview_write, NULL },\n"
    "\t{0x9202,\tptp_nikon_endliveview_write, NULL },\n"
    "\t{0x9203,\tptp_nikon_getliveviewimg_write, NULL },\n")
sub(c, "static int ptp_exposurebias_setvalue(vcamera*,PTPPropertyValue*);\n",
    "static int ptp_exposurebias_setvalue(vcamera*,PTPPropertyValue*);\n"
    "static int ptp_lvstatus_getdesc(vcamera*,PTPDevicePropDesc*);\n"
    "static int ptp_lvstatus_getvalue(vcamera*,PTPPropertyValue*);\n"
    "static int ptp_lvprohibit_getdesc(vcamera*,PTPDevicePropDesc*);\n"
    "static int ptp_lvprohibit_getvalue(vcamera*,PTPPropertyValue*);\n")
sub(c, "\t{0x5011,\tptp_datetime_getdesc, ptp_datetime_getvalue, ptp_datetime_setvalue },\n",
    "\t{0x5011,\tptp_datetime_getdesc, ptp_datetime_getvalue, ptp_datetime_setvalue },\n"
    "\t{0xd1a2,\tptp_lvstatus_getdesc, ptp_lvstatus_getvalue, NULL },\n"
    "\t{0xd1a4,\tptp_lvprohibit_getdesc, ptp_lvprohibit_getvalue, NULL },\n")
sub(c, '\tx += put_string(data+x,"VC");\t/* Model */', '\tx += put_string(data+x,"D750");\t/* Model */')
# InitiateCapture (the only CHECK_PARAM_COUNT(2)): busy while live view is on or the mirror moves.
sub(c, "\tCHECK_PARAM_COUNT(2);\n",
    "\tCHECK_PARAM_COUNT(2);\n\tif (cam->liveview || lv_now_ms() < cam->lvbusyuntil) {\n"
    "\t\tptp_response (cam, PTP_RC_DeviceBusy, 0);\n\t\treturn 1;\n\t}\n")
# Setting a property the camera does not have (libgphoto2 sets Nikon's RecordingMedia before it
# starts live view) was answered twice: once after the command, once more after the data
# phase, and every later answer was then one behind. Answer only once.
sub(c, "ptp_setdevicepropvalue_write_data(vcamera *cam, ptpcontainer *ptp, unsigned char *data, unsigned int len) {\n"
    "\tint\t\t\ti;\n\tPTPPropertyValue\tval;\n\tPTPDevicePropDesc\tdesc;\n\n",
    "ptp_setdevicepropvalue_write_data(vcamera *cam, ptpcontainer *ptp, unsigned char *data, unsigned int len) {\n"
    "\tint\t\t\ti;\n\tPTPPropertyValue\tval;\n\tPTPDevicePropDesc\tdesc;\n\n"
    "\tfor (i=0;i<sizeof(ptp_properties)/sizeof(ptp_properties[0]) && ptp_properties[i].code != ptp->params[0];i++)\n\t\t;\n"
    "\tif (i == sizeof(ptp_properties)/sizeof(ptp_properties[0]))\n\t\treturn 1;\t/* answered after the command already */\n")
sub(c, "static int\nptp_opensession_write(vcamera *cam, ptpcontainer *ptp) {\n",
    open(os.environ["LIVEVIEW_C"]).read() + "static int\nptp_opensession_write(vcamera *cam, ptpcontainer *ptp) {\n")
EOF
grep -q 'ptp_nikon_getliveviewimg_write' vcamera.c
grep -q 'getenv("VCAMERADIR")' vcamera.c
grep -q 'strdup("DCIM")' vcamera.c
cd ../..

[ -x configure ] || autoreconf -i -f >/dev/null
CFLAGS="-O2 -DFUZZ_PTP" ./configure --prefix="$prefix" --enable-vusb --with-camlibs=ptp2 \
  --disable-serial --disable-ptpip --disable-disk --without-libusb-1.0 --without-libusb \
  --disable-nls --without-libexif --without-libxml-2.0 --without-libcurl --without-gdlib \
  --disable-docs >/dev/null
make -j"$(nproc)" >/dev/null
make install >/dev/null
touch "$stamp"
echo "virtual camera fixture: $prefix"
