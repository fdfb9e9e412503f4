module github.com/reportbot/reportbot

go 1.26.0
