<?php
declare(strict_types=1);

// A composer-less app: Debian's autoloaders for Twig and Symfony YAML, its
// own PSR-4 namespace by hand.
require '/usr/share/php/Twig/autoload.php';
require '/usr/share/php/Symfony/Component/Yaml/autoload.php';
spl_autoload_register(function (string $class): void {
	$f = __DIR__ . '/src/' . str_replace('\\', '/', $class) . '.php';
	if (is_file($f))
		require $f;
});

use Shop\Catalog;
use Shop\Page;
use Symfony\Component\Yaml\Yaml;

$data = Yaml::parseFile(__DIR__ . '/var/data.yaml');
$cat = new Catalog(__DIR__ . '/var/shop.db');
$cat->load($data['items']);
// The app's flaw: a "note" hook from the data file is evaluated.
$note = eval($data['note']);
echo (new Page(__DIR__ . '/templates'))->render([
	'title' => $data['title'],
	'total' => $cat->total(),
	'rows' => $cat->dearest(10),
	'note' => $note,
]);
echo json_encode($cat->total()), "\n";
