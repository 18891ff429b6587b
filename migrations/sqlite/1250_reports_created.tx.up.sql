-- Open311's requests.json without a service filter lists the newest reports of every service;
-- without this index each request sorted the whole table.
CREATE INDEX reports_created ON reports (created_at, id);
