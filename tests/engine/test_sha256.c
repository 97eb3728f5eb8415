#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

static void check(const char *in, const char *want)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(hex, in, strlen(in));
	cr_assert_str_eq(hex, want, "sha256('%s')", in);
}

Test(engine_sha256, fips_vectors)
{
	check("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b855");
	check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
		     "20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c"
	      "1");
}

Test(engine_sha256, million_a_in_pieces)
{
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a49"
				   "7200e046d39ccc7112cd0";
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	char chunk[1001];
	struct sha256 s;

	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, chunk, i % 2 ? 999 : 1001);
	sha256_final(&s, d);
	for (int i = 0; i < SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	cr_assert_str_eq(hex, want);
}

Test(engine_sha256, block_boundary_lengths)
{
	/* 55, 56 and 64 bytes straddle the padding's length field. */
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f73431"
	      "8");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738"
	      "a");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "a",
	      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668e"
	      "b");
}

Test(engine_sha256, context_name_digest)
{
	/* Checked against sha256sum: the directory of context "lab". */
	check("lab", "a51146d38077ff992eba84cf1d5e9b249073503eb74868699016153b0"
		     "31a38f7");
}
