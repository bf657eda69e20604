<?php
declare(strict_types=1);

namespace Shop;

use PDO;

/** Items kept in SQLite (a rollback journal per transaction). */
final class Catalog
{
	private PDO $db;

	public function __construct(string $file)
	{
		$this->db = new PDO('sqlite:' . $file);
		$this->db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
		$this->db->exec('PRAGMA journal_mode=DELETE');
		$this->db->exec('DROP TABLE IF EXISTS item');
		$this->db->exec('CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, tags TEXT)');
	}

	/** @param list<array{name: string, price: float, tags: list<string>}> $items */
	public function load(array $items): void
	{
		$ins = $this->db->prepare('INSERT INTO item(name, price, tags) VALUES (?, ?, ?)');
		foreach (array_chunk($items, 100) as $chunk) {
			$this->db->beginTransaction();
			foreach ($chunk as $it)
				$ins->execute([$it['name'], $it['price'], json_encode($it['tags'])]);
			$this->db->commit();
		}
	}

	/** @return list<array<string, mixed>> */
	public function dearest(int $n): array
	{
		$q = $this->db->query("SELECT name, price, tags FROM item ORDER BY price DESC, name LIMIT $n");
		$rows = [];
		foreach ($q->fetchAll(PDO::FETCH_ASSOC) as $r) {
			$r['tags'] = json_decode($r['tags'], true);
			$rows[] = $r;
		}
		return $rows;
	}

	public function total(): array
	{
		return $this->db->query('SELECT count(*) AS n, round(sum(price), 2) AS sum FROM item')
			->fetch(PDO::FETCH_ASSOC);
	}
}
