/* DIDs: E.164 from the YAML/CSV form, tel: and sip: URIs. */
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap.h"

static void did_is(const char *in, const char *want)
{
	wm_did_t d;
	cr_assert_eq(wm_did_parse(in, strlen(in), &d), 0, "rejected %s", in);
	cr_expect_str_eq(d.d, want, "%s", in);
	cr_expect_eq(d.len, strlen(want));
}

Test(did, forms)
{
	did_is("+14085551234", "+14085551234");
	did_is("tel:+14085551234", "+14085551234");
	did_is("tel:+1-408-555-1234", "+14085551234");
	did_is("tel:+1.408.(555).1234;phone-context=example.com", "+14085551234");
	did_is("TEL:+14085551234", "+14085551234");
	did_is("sip:+14085551234@pbx.example.com;user=phone", "+14085551234");
	did_is("sips:+14085551234@pbx.example.com", "+14085551234");
	did_is("+1", "+1");
	did_is("+123456789012345", "+123456789012345");
}

Test(did, rejects_non_global)
{
	static const char *const bad[] = {"",
	                                  "14085551234",
	                                  "+",
	                                  "+1234567890123456",
	                                  "tel:5551234;phone-context=+1408",
	                                  "+1-408-555-1234",
	                                  "+1408555123x",
	                                  "sip:alice@example.com",
	                                  "tel:+",
	                                  "+1 408 555 1234"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wm_did_t d;
		cr_expect_eq(wm_did_parse(bad[i], strlen(bad[i]), &d), LIS_EDATA, "accepted %s",
		             bad[i]);
	}
}
