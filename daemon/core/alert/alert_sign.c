/*
 * alert_sign.c - the signature of a webhook body: HMAC-SHA256 under the
 * target's secret, written as GitHub writes X-Hub-Signature-256.
 */
#include "core/alert/alert.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>

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
