package alert

import _ "modernc.org/sqlite" // the "sqlite" database/sql driver (pure Go)
