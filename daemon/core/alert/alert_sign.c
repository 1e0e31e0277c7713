/*
 * alert_sign.c - the signature of a webhook body: HMAC-SHA256 under the
 * target's secret, written as GitHub writes X-Hub-Signature-256; and the
 * digest behind event ids.
 */
#include "core/alert/alert.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

int
alert_sign(const void *key, size_t keylen, const char *body, size_t len,
    char out[ALERT_SIGN_LEN])
{
	/* HMAC() reads a NULL key as "reuse the last one". */
	static const unsigned char empty[1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *p = out;

	out[0] = '\0';
	if (keylen > INT_MAX ||
	    HMAC(EVP_sha256(), keylen > 0 ? key : empty, (int)keylen,
	        (const unsigned char *)body, len, md, &mdlen) == NULL ||
	    mdlen != 32)
		return -1;
	p += snprintf(p, ALERT_SIGN_LEN, "sha256=");
	for (unsigned int i = 0; i < mdlen; i++)
		p += snprintf(p, 3, "%02x", md[i]);
	return 0;
}

void
alert_uuid(const char *key, char out[ALERT_UUID_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL) != 1 ||
	    len < 16)
		memset(md, 0, 16);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* name-based */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, ALERT_UUID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
	    md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}
