# plot.gp — measured vs configured rate on the shaped link (bench/report.py writes the data).
#   gnuplot -e "datafile='…/shaped-rates.dat'; outfile='…/shaped-rates.png'" bench/plot.gp
# Columns: rate dir, then median min max (% of configured rate) for tramdo, iperf3, curl.
# Block 0 is download, block 1 upload. The band is iperf3's median ±2%: tramdo's target.

set terminal pngcairo size 1100,480 font "DejaVu Sans,10"
set output outfile
set multiplot layout 1,2 title "Measured rate on a tbf-shaped link (median, min–max of repetitions)"
set logscale x
set xrange [14:700]
set xtics ("20" 20, "50" 50, "100" 100, "200" 200, "500" 500)
set xlabel "configured rate (Mbit/s)"
set ylabel "measured payload rate, % of configured"
set yrange [84:104]
set grid ytics
set key top left
ceiling = 100.0 * 1448 / 1514

do for [blk = 0:1] {
	set title (blk == 0 ? "download" : "upload")
	plot datafile index blk using 1:($6 * 0.98):($6 * 1.02) with filledcurves \
	         fillcolor rgb "#d0e0ff" title "iperf3 ±2%", \
	     ceiling with lines dashtype 2 linecolor rgb "#888888" title "TCP payload ceiling 95.6%", \
	     datafile index blk using ($1 * 0.94):6:7:8 with yerrorbars pointtype 7 linecolor rgb "#1f5fbf" title "iperf3", \
	     datafile index blk using 1:3:4:5 with yerrorbars pointtype 5 linecolor rgb "#d62728" title "tramdo", \
	     datafile index blk using ($1 * 1.06):9:10:11 with yerrorbars pointtype 9 linecolor rgb "#2ca02c" title "curl"
}
unset multiplot
