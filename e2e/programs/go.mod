module thanos-stack.local/e2e-programs

go 1.26
