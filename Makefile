# skillscore: the two commands README promises, and the checks before a commit.

ADDR ?= 127.0.0.1:8080
DATA ?= ./demo-data
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test check build

## demo: serve the demo event (SQLite under $(DATA)) and print its URLs
demo:
	@SKILLSCORE_SETUP_MINIMAL=1 ./scripts/setup.sh
	@echo "首次运行需要编译几分钟，之后几秒即可启动…（the first run compiles for a few minutes; later runs start in seconds）"
	go run ./cmd/skillscore demo --addr $(ADDR) --data $(DATA)

## test: every test; the MariaDB suite too when a server answers on 127.0.0.1:3306
test:
	./scripts/test.sh

## check: formatting, vet and staticcheck (as CI runs them)
check:
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)
	go vet ./...
	go run $(STATICCHECK) ./...

build:
	go build -o bin/skillscore ./cmd/skillscore
