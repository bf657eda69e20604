<?php
// gen.php N [NOTE]: data.yaml with N items
require '/usr/share/php/Symfony/Component/Yaml/autoload.php';
$n = (int)$argv[1];
$items = [];
for ($i = 0; $i < $n; $i++)
	$items[] = ['name' => "item $i", 'price' => ($i * 37 % 1000) / 10 + 0.25, 'tags' => ['t' . ($i % 7), 'k' . ($i % 3)]];
echo Symfony\Component\Yaml\Yaml::dump(['title' => "Shop of $n", 'note' => $argv[2] ?? "return 'n' . strlen('abc');", 'items' => $items], 3);
