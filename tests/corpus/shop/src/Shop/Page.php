<?php
declare(strict_types=1);

namespace Shop;

use Twig\Environment;
use Twig\Loader\FilesystemLoader;
use Twig\TwigFilter;

/** Renders the report with Twig, templates from the app's directory. */
final class Page
{
	private Environment $twig;

	public function __construct(string $dir)
	{
		$this->twig = new Environment(new FilesystemLoader($dir), ['cache' => false, 'strict_variables' => true]);
		$this->twig->addFilter(new TwigFilter('money', fn (float $v): string => number_format($v, 2)));
	}

	public function render(array $vars): string
	{
		return $this->twig->render('report.twig', $vars);
	}
}
