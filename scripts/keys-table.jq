# Every compose key of schema/mixcompose.schema.json, one JSON object per
# key: {path, class, why}, read by scripts/keys-table.sh.  class:
#   acted       mixcompose acts on it
#   api         acted on; a daemon older than Engine API 'why' is refused it
#                 ("x-mixcompose-api", checked against compose_keys[] by
#                 tests/apply/test_keys.c)
#   bkapi       acted on; under BuildKit a daemon older than Engine API
#                 'why' is refused it ("x-mixcompose-buildkit-api", checked
#                 against apply/build_spec.c by tests/apply/test_schema_marks.c)
#   refused     refused as compose v2 refuses it ("x-mixcompose-refused")
#   ignored     accepted with a warning ("x-mixcompose-unsupported")
#   noop        accepted without a warning and without effect, as in
#                 compose v2 ("x-mixcompose-noop")
#   deprecated  a warning that names its replacement
. as $root
| def deref: if type == "object" and has("$ref")
	then (.["$ref"] | ltrimstr("#/") | split("/")) as $at
		| ($root | getpath($at) | deref) + del(.["$ref"])
	else . end;
  # The keys under a schema: {k, v}; a k that starts with "[]" is a key of
  # the list's items.  A map of user names (labels, ulimits) has none.
  def kids: deref as $s
	| ( ($s.properties // {} | to_entries[] | select(.key | startswith("x-") | not) | {k: .key, v: .value}),
	    ($s.patternProperties // {} | to_entries[] | select(.key != "^x-")
		| select(.value | deref | has("properties")) | {k: "NAME", v: .value}),
	    ((($s.oneOf // []) + ($s.anyOf // []))[] | kids),
	    ($s.items // empty | kids | .k |= "[]" + .) );
  # Whether a key may also be written without sub-keys (build: ./dir).
  def short: deref | ((.type // "object") | if type == "array" then . else [.] end
		| any(.[]; . != "object" and . != "null"))
	or any((.oneOf // [])[]; short);
  def join($p; $k): if ($k | startswith("[]")) then $p + "[]." + ($k | ltrimstr("[]"))
	elif $p == "" then $k else $p + "." + $k end;
  def keys($p; $d):
	kids as $c | join($p; $c.k) as $path | ($c.v | deref) as $s
	| def one($class; $why): {path: $path, class: $class, why: $why};
	  def str($x): if ($x | type) == "string" then $x else "not acted on yet" end;
	  if $s["x-mixcompose-unsupported"] then one("ignored"; str($s["x-mixcompose-unsupported"]))
	  elif $s["x-mixcompose-deprecated"] then
		one(if ($s["x-mixcompose-deprecated"] | test("ignored")) then "ignored" else "deprecated" end;
		    $s["x-mixcompose-deprecated"])
	  elif $s["x-mixcompose-refused"] then one("refused"; $s["x-mixcompose-refused"])
	  elif $s["x-mixcompose-noop"] then one("noop"; $s["x-mixcompose-noop"])
	  elif $s["x-mixcompose-api"] then one("api"; $s["x-mixcompose-api"])
	  elif $s["x-mixcompose-buildkit-api"] then one("bkapi"; $s["x-mixcompose-buildkit-api"])
	  elif $d < 6 and ([$c.v | kids] | length) > 0 then
		(if ($c.v | short) then one("acted"; "") else empty end), ($c.v | keys($path; $d + 1))
	  else one("acted"; "") end;
  ( ($root.definitions.service | keys("services.NAME"; 0)),
    ($root | {properties: (.properties | del(.services) | del(.["x-mixcompose"]))} | keys(""; 0)) )
