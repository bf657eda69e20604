<?php
// Every built-in function and method of this PHP, but those named on the
// command line, as the lines of a php: functions section (names escaped as
// JSON strings, which YAML reads as double-quoted scalars).
$skip = array_flip(array_slice($argv, 1));
$out = [];
foreach (get_defined_functions()["internal"] as $f)
	$out[] = $f;
foreach (get_declared_classes() as $c) {
	$r = new ReflectionClass($c);
	if (!$r->isInternal())
		continue;
	foreach ($r->getMethods() as $m)
		if ($m->getDeclaringClass()->getName() === $c)
			$out[] = $c . "::" . $m->getName();
}
foreach (array_unique($out) as $n)
	if (!isset($skip[$n]))
		echo "    ", json_encode($n, JSON_UNESCAPED_SLASHES), ": []\n";
