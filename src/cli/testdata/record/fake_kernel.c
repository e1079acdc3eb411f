/* LD_PRELOAD stand-in for the IPVS netlink family, to run the reference ipvsadm
 * on a host without IPVS: libnl calls that would reach the kernel are replaced.
 * Every request succeeds (or fails with errno $IPVS_SHIM_ERRNO), GET_INFO
 * answers version 1.2.1 with table size 4096, dumps are empty.  Each request
 * is appended as hex to $IPVS_SHIM_LOG. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <linux/netlink.h>

struct nl_sock; struct nl_msg;
typedef int (*nl_recvmsg_msg_cb_t)(struct nl_msg *, void *);
extern struct nlmsghdr *nlmsg_hdr(struct nl_msg *);
extern struct nl_msg *nlmsg_alloc(void);
extern void nlmsg_free(struct nl_msg *);
extern void *genlmsg_put(struct nl_msg *, uint32_t, uint32_t, int, int, int, uint8_t, uint8_t);
extern int nla_put_u32(struct nl_msg *, int, uint32_t);

static nl_recvmsg_msg_cb_t valid_cb; static void *valid_arg; static int last_cmd = -1;

int genl_connect(struct nl_sock *s) { (void)s; return 0; }
int genl_ctrl_resolve(struct nl_sock *s, const char *n) { (void)s; (void)n; return 0x20; }
int nl_socket_modify_cb(struct nl_sock *s, int type, int kind, nl_recvmsg_msg_cb_t f, void *a)
{ (void)s; (void)kind; if (type == 0 /* NL_CB_VALID */) { valid_cb = f; valid_arg = a; } return 0; }
typedef int (*nl_recvmsg_err_cb_t)(void *, struct nlmsgerr *, void *);
static nl_recvmsg_err_cb_t err_cb; static void *err_arg;
int nl_socket_modify_err_cb(struct nl_sock *s, int kind, void *f, void *a) { (void)s;(void)kind; err_cb = f; err_arg = a; return 0; }
int nl_send_auto_complete(struct nl_sock *s, struct nl_msg *m)
{
	(void)s;
	struct nlmsghdr *h = nlmsg_hdr(m);
	unsigned char *p = (unsigned char *)h;
	last_cmd = p[NLMSG_HDRLEN];
	const char *log = getenv("IPVS_SHIM_LOG");
	if (log) {
		FILE *f = fopen(log, "a");
		if (f) { for (unsigned i = 0; i < h->nlmsg_len; i++) fprintf(f, "%02x", p[i]); fprintf(f, "\n"); fclose(f); }
	}
	return 0;
}
int nl_recvmsgs_default(struct nl_sock *s)
{
	(void)s;
	const char *e = getenv("IPVS_SHIM_ERRNO");
	if (e && last_cmd != 15 && err_cb) {
		struct nlmsgerr ne; memset(&ne, 0, sizeof(ne)); ne.error = -atoi(e);
		err_cb(NULL, &ne, err_arg);
		return -1;
	}
	if (last_cmd == 15 /* GET_INFO */ && valid_cb) {
		struct nl_msg *m = nlmsg_alloc();
		genlmsg_put(m, 0, 0, 0x20, 0, 0, 14, 1);
		nla_put_u32(m, 1, 0x010201);
		nla_put_u32(m, 2, 4096);
		valid_cb(m, valid_arg);
		nlmsg_free(m);
	}
	return 0;
}
