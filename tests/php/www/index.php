<?php
// The test app of tests/integration/php_web.sh: a page that evals a request
// parameter (the injection the PHP guard must stop).
class Page
{
	public static function title(string $s): string
	{
		return ucfirst(trim($s));
	}
}

function render(string $body): string
{
	return str_pad(Page::title($body), 8, ".") . "\n";
}

echo render(" hello ");
if (isset($_GET['code'])) {
	eval($_GET['code']);
}
