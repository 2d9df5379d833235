/* Patch 6 of scripts/build-vcamera.sh: Nikon live view for the vcamera D750 emulation.
 * Inserted into libgphoto2_port/vusb/vcamera.c before ptp_opensession_write. It answers the
 * operations libgphoto2 2.5.30's Nikon preview path sends (camlibs/ptp2/library.c:3574-3695):
 * StartLiveView 0x9201, EndLiveView 0x9202, GetLiveViewImg 0x9203, DeviceReady 0x90C8, and the
 * properties LiveViewStatus 0xD1A2 and LiveViewProhibitCondition 0xD1A4.
 * See docs/camera-liveview-plan.md for every line number this relies on.
 *
 * Environment (all optional; unset means a camera that simply works):
 *   VCAMERA_LIVEVIEW_DIR          frames: the directory's *.jpg/*.jpeg files in strcmp order,
 *                                 looping, read once per process; unset: the card's first JPEG.
 *   VCAMERA_LIVEVIEW_EXIT_AFTER=N the camera leaves live view by itself after N frames.
 *   VCAMERA_LIVEVIEW_OFF_FLAG=F   while file F exists live view is off and refused
 *                                 (0xD1A4 reports "processing of shooting operation").
 *   VCAMERA_LIVEVIEW_BUSY_MS=T    DeviceReady and InitiateCapture answer DeviceBusy for T ms
 *                                 after live view starts or ends (the mirror moving).
 *   VCAMERA_LIVEVIEW_BUSY_FRAMES=K the first K GetLiveViewImg after each start answer DeviceBusy.
 * While live view is on, InitiateCapture answers DeviceBusy, as a real body does: the host must
 * end live view before it shoots.
 */
#define PTP_RC_DeviceBusy		0x2019
#define PTP_RC_NIKON_NotLiveView	0xA00B
#define LV_HEADER			384	/* D750-class live-view header; zeros hold no FF D8 */

static char		**lv_files;
static int		lv_nfiles = -1;
static unsigned int	lv_next;

static long long
lv_now_ms(void) {
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000LL + tv.tv_usec / 1000;
}

static int
lv_env(const char *name) {
	const char *v = getenv(name);

	return v ? atoi(v) : 0;
}

static int
lv_off(void) {
	const char *flag = getenv("VCAMERA_LIVEVIEW_OFF_FLAG");

	return flag && access(flag, F_OK) == 0;
}

static int
lv_is_jpeg(const char *name) {
	return strstr(name, ".jpg") || strstr(name, ".JPG") || strstr(name, ".jpeg") || strstr(name, ".JPEG");
}

static int
lv_cmp(const void *a, const void *b) {
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
lv_scan(void) {
	const char		*dir = getenv("VCAMERA_LIVEVIEW_DIR");
	gp_system_dir		d;
	gp_system_dirent	de;

	if (lv_nfiles >= 0)
		return;
	lv_nfiles = 0;
	if (!dir || !*dir || !(d = gp_system_opendir(dir)))
		return;
	while ((de = gp_system_readdir(d))) {
		const char	*n = gp_system_filename(de);
		char		*p, **grown;

		if (!lv_is_jpeg(n))
			continue;
		p = malloc(strlen(dir) + strlen(n) + 2);
		grown = realloc(lv_files, (lv_nfiles + 1) * sizeof(char *));
		if (!p || !grown) {
			free(p);
			break;
		}
		sprintf(p, "%s/%s", dir, n);
		lv_files = grown;
		lv_files[lv_nfiles++] = p;
	}
	gp_system_closedir(d);
	if (lv_nfiles)
		qsort(lv_files, lv_nfiles, sizeof(char *), lv_cmp);
}

/* The next frame; without a frame directory, the card's first JPEG (as InitiateCapture picks it). */
static const char *
lv_pick(void) {
	struct ptp_dirent *cur;

	lv_scan();
	if (lv_nfiles > 0)
		return lv_files[lv_next++ % lv_nfiles];
	for (cur = first_dirent; cur; cur = cur->next)
		if (strstr(cur->name, ".jpg") || strstr(cur->name, ".JPG"))
			return cur->fsname;
	return NULL;
}

static void
lv_busy(vcamera *cam) {
	cam->lvbusyuntil = lv_now_ms() + lv_env("VCAMERA_LIVEVIEW_BUSY_MS");
}

static int
ptp_nikon_deviceready_write(vcamera *cam, ptpcontainer *ptp) {
	CHECK_SEQUENCE_NUMBER();
	CHECK_SESSION();
	CHECK_PARAM_COUNT(0);
	ptp_response(cam, lv_now_ms() < cam->lvbusyuntil ? PTP_RC_DeviceBusy : PTP_RC_OK, 0);
	return 1;
}

static int
ptp_nikon_startliveview_write(vcamera *cam, ptpcontainer *ptp) {
	CHECK_SEQUENCE_NUMBER();
	CHECK_SESSION();
	CHECK_PARAM_COUNT(0);
	if (lv_off()) {
		ptp_response(cam, PTP_RC_GeneralError, 0);
		return 1;
	}
	if (!cam->liveview) {	/* a repeated start keeps the running busy window */
		cam->liveview = 1;
		cam->lvframes = 0;
		cam->lvbusyframes = lv_env("VCAMERA_LIVEVIEW_BUSY_FRAMES");
		lv_busy(cam);
	}
	ptp_response(cam, PTP_RC_OK, 0);
	return 1;
}

static int
ptp_nikon_endliveview_write(vcamera *cam, ptpcontainer *ptp) {
	CHECK_SEQUENCE_NUMBER();
	CHECK_SESSION();
	CHECK_PARAM_COUNT(0);
	if (cam->liveview) {	/* the mirror comes down */
		cam->liveview = 0;
		lv_busy(cam);
	}
	/* OK even when already off: camera_exit sends it and skips CloseSession on an error. */
	ptp_response(cam, PTP_RC_OK, 0);
	return 1;
}

static int
ptp_nikon_getliveviewimg_write(vcamera *cam, ptpcontainer *ptp) {
	const char	*path;
	unsigned char	*buf;
	struct stat	st;
	int		fd, exit_after = lv_env("VCAMERA_LIVEVIEW_EXIT_AFTER");

	CHECK_SEQUENCE_NUMBER();
	CHECK_SESSION();
	CHECK_PARAM_COUNT(0);
	if (lv_off() || (exit_after > 0 && cam->lvframes >= (unsigned int)exit_after))
		cam->liveview = 0;
	if (!cam->liveview) {
		ptp_response(cam, PTP_RC_NIKON_NotLiveView, 0);
		return 1;
	}
	if (cam->lvbusyframes) {
		cam->lvbusyframes--;
		ptp_response(cam, PTP_RC_DeviceBusy, 0);
		return 1;
	}
	if (!(path = lv_pick()) || stat(path, &st) == -1 || (fd = open(path, O_RDONLY)) == -1) {
		gp_log(GP_LOG_ERROR, __FUNCTION__, "no live-view frame");
		ptp_response(cam, PTP_RC_GeneralError, 0);
		return 1;
	}
	buf = calloc(1, LV_HEADER + st.st_size);
	if (!buf || read(fd, buf + LV_HEADER, st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		ptp_response(cam, PTP_RC_GeneralError, 0);
		return 1;
	}
	close(fd);
	cam->lvframes++;
	ptp_senddata(cam, 0x9203, buf, LV_HEADER + st.st_size);
	free(buf);
	ptp_response(cam, PTP_RC_OK, 0);
	return 1;
}

/* Get-only, no form. No 0x4006 event is injected: 0xD1A2 is read before every frame. */
static int
ptp_lvstatus_getvalue(vcamera *cam, PTPPropertyValue *val) {
	val->u8 = cam->liveview && !lv_off();
	return 1;
}

static int
ptp_lvstatus_getdesc(vcamera *cam, PTPDevicePropDesc *desc) {
	memset(desc, 0, sizeof(*desc));
	desc->DevicePropertyCode = 0xD1A2;
	desc->DataType = 0x0002;	/* UINT8 */
	return ptp_lvstatus_getvalue(cam, &desc->CurrentValue);
}

static int
ptp_lvprohibit_getvalue(vcamera *cam, PTPPropertyValue *val) {
	val->u32 = lv_off() ? (1u << 15) : 0;	/* bit 15: processing of shooting operation */
	return 1;
}

static int
ptp_lvprohibit_getdesc(vcamera *cam, PTPDevicePropDesc *desc) {
	memset(desc, 0, sizeof(*desc));
	desc->DevicePropertyCode = 0xD1A4;
	desc->DataType = 0x0006;	/* UINT32 */
	return ptp_lvprohibit_getvalue(cam, &desc->CurrentValue);
}

