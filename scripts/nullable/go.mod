module kubex.local/nullable

go 1.22
